// A second iCalendar parser for the tests: ical.js (Mozilla's, used by Thunderbird's CalDAV code).
// Reads one iCalendar stream on stdin and prints, as JSON, what ical.js understood of each VEVENT:
// its UID, DTSTART as an instant in UTC (resolved through the stream's own VTIMEZONEs), whether it is
// all-day, and its alarms. Exits 1 with the parser's message when the stream does not parse.
import ICAL from "ical.js";

let text = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) text += chunk;
try {
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(new ICAL.Timezone(vtimezone));
  }
  const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
    const event = new ICAL.Event(vevent);
    const start = event.startDate;
    return {
      uid: event.uid,
      all_day: start.isDate,
      zone: start.isDate ? null : start.zone.tzid,
      start_utc: start.isDate ? start.toString() : start.convertToZone(ICAL.Timezone.utcTimezone).toString(),
      alarms: vevent.getAllSubcomponents("valarm").map((alarm) => ({
        action: alarm.getFirstPropertyValue("action"),
        trigger: alarm.getFirstPropertyValue("trigger").toString(),
        description: alarm.getFirstPropertyValue("description"),
      })),
    };
  });
  const zones = calendar.getAllSubcomponents("vtimezone").map((zone) => zone.getFirstPropertyValue("tzid"));
  process.stdout.write(JSON.stringify({ zones, events }));
} catch (error) {
  process.stderr.write(`ical.js: ${error.message}\n`);
  process.exit(1);
}
