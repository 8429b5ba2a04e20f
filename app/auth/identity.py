"""The person as the portal shows them to themselves (API `/me` and the data export)."""


def user_identity(user) -> dict:
    """Who the person is in the portal, as shown to themselves (see USER_PROPERTIES)."""
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "pseudonym": user.pseudonym,
        "locale": user.locale,
        "roles": sorted(user.roles),
        "department": user.department.code if user.department else None,
        "commune": user.commune.insee_code if user.commune else None,
        "leaderboard_visibility": user.leaderboard_visibility,
    }
