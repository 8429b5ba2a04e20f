"""Views of the cleanup domain."""

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("cleanup", __name__, url_prefix="/cleanup", template_folder="templates")


@bp.get("/")
@login_required
def index():
    """The cleanup home page."""
    return render_template("cleanup/index.html")
