"""Views of the messaging domain."""

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("messaging", __name__, url_prefix="/messaging", template_folder="templates")


@bp.get("/")
@login_required
def index():
    """The messaging home page."""
    return render_template("messaging/index.html")
