// Reads .ics files with Mozilla's ical.js and prints each event's start in UTC, as JSON.
// The time zone comes only from the file's own VTIMEZONE, registered before the event is read.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const starts = {};
for (const path of process.argv.slice(2)) {
  const calendar = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
  ICAL.TimezoneService.reset();
  for (const zone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(new ICAL.Timezone(zone));
  }
  const event = new ICAL.Event(calendar.getFirstSubcomponent("vevent"));
  starts[path] = {
    start: event.startDate.toJSDate().toISOString(),
    zone: event.startDate.zone.tzid,
    organizer: event.component.getFirstPropertyValue("organizer"),
    attendees: event.attendees.map((a) => a.getFirstValue()),
  };
}
process.stdout.write(JSON.stringify(starts));
