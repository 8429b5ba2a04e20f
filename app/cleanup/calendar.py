"""The .ics file of a campaign, so people can put its dates in their calendar."""

from icalendar import Calendar, Event


def campaign_ics(campaign, locale: str, url: str) -> bytes:
    """One VEVENT spanning the campaign, with a stable UID.

    SEQUENCE moves with each change of its dates and DTSTAMP / LAST-MODIFIED are its last
    change: a calendar app that imported the file replaces the event it holds (with a
    new DTSTAMP alone, it kept the old end after an extension). Campaigns changed before
    these were kept date from their publication or creation."""
    changed = campaign.updated_at or campaign.published_at or campaign.created_at
    calendar = Calendar()
    calendar.add("prodid", "-//Empreinte//Clean-up campaigns//FR")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"cleanup-campaign-{campaign.id}@empreinte")
    event.add("sequence", campaign.dates_sequence or 0)
    event.add("summary", campaign.name(locale))
    event.add("description", f"{campaign.description(locale)}\n\n{url}".strip())
    event.add("dtstart", campaign.starts_at)
    event.add("dtend", campaign.ends_at)
    event.add("dtstamp", changed)
    event.add("last-modified", changed)
    event.add("url", url)
    calendar.add_component(event)
    return calendar.to_ical()
