"""Views of the catalogue domain."""

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("catalogue", __name__, url_prefix="/catalogue", template_folder="templates")


@bp.get("/")
@login_required
def index():
    """The catalogue home page."""
    return render_template("catalogue/index.html")
