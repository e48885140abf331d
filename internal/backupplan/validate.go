package backupplan

import (
	"errors"
	"fmt"

	"github.com/homelab-tf/terraform-provider-homelab/internal/restic"
)

var errHost = errors.New("the host must be a non-empty name without commas or surrounding whitespace")

func checkEnvName(name string) error {
	if err := ValidateEnvName(name); err != nil {
		return err
	}
	if restic.ReservedEnv(name) {
		return fmt.Errorf("%s is set by the provider from password_wo, password_reference and repository; it cannot be set here", name)
	}
	return nil
}
