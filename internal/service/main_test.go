package service_test

import (
	"testing"

	"github.com/homelab-tf/terraform-provider-homelab/internal/acctest"
)

var cluster *acctest.Cluster

func TestMain(m *testing.M) { acctest.MainWithCluster(m, true, &cluster) }
