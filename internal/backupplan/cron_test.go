package backupplan

import (
	"strings"
	"testing"
)

func TestValidateCron(t *testing.T) {
	for _, tc := range []struct {
		in      string
		wantErr string // substring; "" means valid
	}{
		{in: "0 3 * * *"},
		{in: "*/15 * * * *"},
		{in: "0 0-23/6 * * *"},
		{in: "30 2 1,15 * *"},
		{in: "0 4 * JAN-MAR,dec mon-fri"},
		{in: "0 3 * * 0"},
		{in: "59 23 31 12 6"},
		{in: "  0   3 * *   *  "},
		{in: "0 3 * *", wantErr: "has 4 fields"},
		{in: "0 0 3 * * *", wantErr: "has 6 fields"},
		{in: "", wantErr: "has 0 fields"},
		{in: "@daily", wantErr: "macros are not supported"},
		{in: "60 3 * * *", wantErr: "60 is out of range 0-59"},
		{in: "0 24 * * *", wantErr: "24 is out of range 0-23"},
		{in: "0 3 0 * *", wantErr: "0 is out of range 1-31"},
		{in: "0 3 * 13 *", wantErr: "13 is out of range 1-12"},
		{in: "0 3 * * 7", wantErr: "use 0 for Sunday"},
		{in: "0 3 * * FUN", wantErr: "not a number from 0 to 6 or a name (SUN-SAT)"},
		{in: "*/0 * * * *", wantErr: "step \"0\""},
		{in: "*/x * * * *", wantErr: "step \"x\""},
		{in: "5/10 * * * *", wantErr: "a step needs"},
		{in: "0 5-2 * * *", wantErr: "runs backwards"},
		{in: "0 1,,2 * * *", wantErr: "empty list item"},
		{in: "0 -1 * * *", wantErr: "is not a number"},
		{in: "? 3 * * *", wantErr: "is not a number"},
		{in: "0 3 L * *", wantErr: "is not a number"},
	} {
		err := ValidateCron(tc.in)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("ValidateCron(%q) = %v, want valid", tc.in, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("ValidateCron(%q) = %v, want an error containing %q", tc.in, err, tc.wantErr)
		}
	}
}
