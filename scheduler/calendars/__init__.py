"""iCalendar feeds of published rosters: per reader, per site and for the group (see `ical`),
with compact VTIMEZONEs checked against zoneinfo (see `vtimezone`)."""

from scheduler.calendars.ical import CalendarContext, feed_targets, render, render_all, write_calendars
from scheduler.calendars.vtimezone import verify, vtimezone_for

__all__ = ["CalendarContext", "feed_targets", "render", "render_all", "verify", "vtimezone_for", "write_calendars"]
