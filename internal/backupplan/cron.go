package backupplan

import (
	"fmt"
	"strconv"
	"strings"
)

// cronField is one of the five fields of a cron schedule.
type cronField struct {
	name     string
	min, max int
	names    []string // names[i] stands for min+i
}

var cronFields = []cronField{
	{name: "minute", min: 0, max: 59},
	{name: "hour", min: 0, max: 23},
	{name: "day of month", min: 1, max: 31},
	{name: "month", min: 1, max: 12, names: []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}},
	{name: "day of week", min: 0, max: 6, names: []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}},
}

// ValidateCron checks a standard 5-field cron schedule ("minute hour
// day-of-month month day-of-week") as Backrest runs it: each field is "*",
// a number, a range "a-b", a step "*/n" or "a-b/n", or a comma list of
// those; months and weekdays also take three-letter names. Day of week is
// 0-6 with 0 for Sunday: Backrest's cron library mis-schedules 7.
// Macros such as @daily and seconds fields are not accepted.
func ValidateCron(s string) error {
	if strings.HasPrefix(strings.TrimSpace(s), "@") {
		return fmt.Errorf("%q: macros are not supported; write the five fields, e.g. \"0 3 * * *\" for daily at 03:00", s)
	}
	fields := strings.Fields(s)
	if len(fields) != 5 {
		return fmt.Errorf("%q has %d fields; a schedule has 5: minute hour day-of-month month day-of-week, e.g. \"0 3 * * *\"", s, len(fields))
	}
	for i, f := range fields {
		if err := cronFields[i].validate(f); err != nil {
			return fmt.Errorf("%q: %w", s, err)
		}
	}
	return nil
}

func (c cronField) validate(field string) error {
	for _, part := range strings.Split(field, ",") {
		if part == "" {
			return fmt.Errorf("%s field %q has an empty list item", c.name, field)
		}
		rng, step, hasStep := strings.Cut(part, "/")
		if hasStep {
			n, err := strconv.Atoi(step)
			if err != nil || n < 1 || n > c.max-c.min+1 {
				return fmt.Errorf("%s field %q: step %q must be a number from 1 to %d", c.name, field, step, c.max-c.min+1)
			}
		}
		if rng == "*" {
			continue
		}
		lo, hi, isRange := strings.Cut(rng, "-")
		a, err := c.value(lo)
		if err != nil {
			return fmt.Errorf("%s field %q: %w", c.name, field, err)
		}
		if !isRange {
			if hasStep {
				return fmt.Errorf("%s field %q: a step needs \"*\" or a range before it, e.g. \"*/%s\"", c.name, field, step)
			}
			continue
		}
		b, err := c.value(hi)
		if err != nil {
			return fmt.Errorf("%s field %q: %w", c.name, field, err)
		}
		if a > b {
			return fmt.Errorf("%s field %q: range %q runs backwards", c.name, field, rng)
		}
	}
	return nil
}

func (c cronField) value(s string) (int, error) {
	for i, n := range c.names {
		if strings.EqualFold(s, n) {
			return c.min + i, nil
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || s == "" || s[0] == '+' || s[0] == '-' {
		if len(c.names) > 0 {
			return 0, fmt.Errorf("%q is not a number from %d to %d or a name (%s-%s)", s, c.min, c.max, c.names[0], c.names[len(c.names)-1])
		}
		return 0, fmt.Errorf("%q is not a number from %d to %d", s, c.min, c.max)
	}
	if n < c.min || n > c.max {
		if c.name == "day of week" && n == 7 {
			return 0, fmt.Errorf("7 is not a day of week here; use 0 for Sunday")
		}
		return 0, fmt.Errorf("%d is out of range %d-%d", n, c.min, c.max)
	}
	return n, nil
}
