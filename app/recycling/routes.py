"""Views of the recycling domain."""

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("recycling", __name__, url_prefix="/recycling", template_folder="templates")


@bp.get("/")
@login_required
def index():
    """The recycling home page."""
    return render_template("recycling/index.html")
