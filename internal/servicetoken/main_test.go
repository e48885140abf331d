package servicetoken_test

import (
	"testing"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
)

func TestMain(m *testing.M) { acctest.Main(m) }
