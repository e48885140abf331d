# restic for the homelab_backup_plan tests, included by GNUmakefile.
# `go install github.com/restic/restic/cmd/restic@v0.19.1` is refused by some
# module proxies, so restic is built from the wrapper module in tools/restic
# (about two minutes cold on 2 cores); a binary already at the right version
# is kept. Include it after BIN is set.
$(if $(BIN),,$(error restic.mk needs BIN; include it after BIN is defined))

RESTIC_VERSION := 0.19.1

# internal/restic and internal/backupplan run this binary in their tests.
export HOMELAB_RESTIC_BINARY := $(BIN)/restic

.PHONY: restic

restic: $(BIN)/restic

$(BIN)/restic: tools/restic/go.mod restic.mk
	@if [ -x $@ ] && $@ version 2>/dev/null | grep -q "^restic $(RESTIC_VERSION) "; then touch $@; else \
		echo "==> Building restic $(RESTIC_VERSION) into bin/ (about two minutes the first time)"; \
		cd tools/restic && \
		test "$$(go list -m -f '{{.Version}}' github.com/restic/restic)" = "v$(RESTIC_VERSION)" || { echo "tools/restic/go.mod does not require github.com/restic/restic v$(RESTIC_VERSION) (RESTIC_VERSION)" >&2; exit 1; }; \
		go build -ldflags "-s -w" -o $@ github.com/restic/restic/cmd/restic || exit 1; \
		$@ version | grep -q "^restic $(RESTIC_VERSION) " || { echo "bin/restic does not report version $(RESTIC_VERSION)" >&2; exit 1; }; fi
