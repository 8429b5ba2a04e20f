"""The .ics file of a campaign, so people can put its dates in their calendar."""

from datetime import datetime

from icalendar import Calendar, Event


def campaign_ics(campaign, locale: str, url: str, now: datetime) -> bytes:
    """One VEVENT spanning the campaign, with a stable UID."""
    calendar = Calendar()
    calendar.add("prodid", "-//Empreinte//Clean-up campaigns//FR")
    calendar.add("version", "2.0")
    event = Event()
    event.add("uid", f"cleanup-campaign-{campaign.id}@empreinte")
    event.add("summary", campaign.name(locale))
    event.add("description", f"{campaign.description(locale)}\n\n{url}".strip())
    event.add("dtstart", campaign.starts_at)
    event.add("dtend", campaign.ends_at)
    event.add("dtstamp", now)
    event.add("url", url)
    calendar.add_component(event)
    return calendar.to_ical()
