// Package validators holds attribute validators shared by several schemas.
package validators

import (
	"regexp"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// emailPattern is deliberately loose: Cloudflare is the judge of real
// addresses; this catches typos such as a missing "@".
var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// Email checks that a string looks like an e-mail address.
func Email() validator.String {
	return stringvalidator.RegexMatches(emailPattern, "must be an e-mail address such as me@example.com")
}
