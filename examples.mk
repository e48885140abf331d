# Offline validation of the example configurations, included by GNUmakefile.
# `terraform validate` and `tofu validate` need every provider's schema, and
# no registry can be reached here or in CI. Both CLIs take providers from a
# CLI configuration's dev_overrides without `init`: the homelab provider
# from bin/, and for hashicorp/helm the schema-only stand-in in
# tools/helmschema (the Go module proxy serves no buildable release of the
# real one; see its main.go). Include it after BIN and TERRAFORM are set.
$(if $(BIN),,$(error examples.mk needs BIN; include it after BIN is defined))

VALIDATE_EXAMPLES := examples/bootstrap examples/homelab examples/backup examples/sandbox
EXAMPLES_TFRC     := $(BIN)/examples.tfrc
HELM_SCHEMA       := $(BIN)/helmschema/terraform-provider-helm

.PHONY: validate-examples

validate-examples: build $(HELM_SCHEMA) $(BIN)/tofu require-terraform
	@printf 'provider_installation {\n  dev_overrides {\n    "homelab-tf/homelab" = "%s"\n    "hashicorp/helm"     = "%s"\n  }\n  direct {}\n}\n' \
		"$(BIN)" "$(dir $(HELM_SCHEMA))" > $(EXAMPLES_TFRC)
	@set -e; for dir in $(VALIDATE_EXAMPLES); do \
		for cli in "$(TERRAFORM)" "$(BIN)/tofu"; do \
			echo "==> $$($$cli version | head -1): validate $$dir"; \
			TF_CLI_CONFIG_FILE=$(EXAMPLES_TFRC) $$cli -chdir=$$dir validate -no-color > $(BIN)/validate.log 2>&1 \
				|| { cat $(BIN)/validate.log >&2; exit 1; }; \
			grep -q '^Success! The configuration is valid' $(BIN)/validate.log || { cat $(BIN)/validate.log >&2; exit 1; }; \
		done; \
	done

$(HELM_SCHEMA): tools/helmschema/main.go tools/helmschema/go.mod
	cd tools/helmschema && go build -o $@ .
