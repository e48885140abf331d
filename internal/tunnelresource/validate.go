package tunnelresource

import (
	"strings"

	"github.com/homelab-tf/terraform-provider-homelab/internal/validators"
)

// checkName refuses names Cloudflare would refuse or store differently:
// empty ones and ones with leading or trailing white space.
func checkName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return validators.Problem("A tunnel name must not be empty.")
	case strings.TrimSpace(name) != name:
		return validators.Problem("Remove the white space around the name.")
	}
	return nil
}
