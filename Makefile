# SPDX-License-Identifier: GPL-2.0-only
#
# The quick start: `make demo` and `make check` on a fresh Debian machine.
# Each target first installs the Debian packages the build needs when they
# are missing (apt-get, as root or through sudo), then configures with
# meson, builds, and runs.

BUILD ?= build
HVSIM := ./$(BUILD)/hvsim
DEMO := scenarios/storvsc-subchannel-race.scn

DEB_PKGS := gcc libc6-dev make meson ninja-build pkg-config \
	libglib2.0-dev check libgraphviz-dev graphviz \
	libunwind-dev libdw-dev libelf-dev

.PHONY: all deps build demo check bench clean

all: build

deps:
	@missing=""; \
	for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | \
			grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "hvsim: installing Debian packages:$$missing"; \
		if [ "$$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq \
			--no-install-recommends $$missing; \
	fi

$(BUILD)/build.ninja: meson.build meson_options.txt | deps
	@if [ -d $(BUILD) ]; then meson setup --reconfigure $(BUILD); \
	else meson setup $(BUILD); fi

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

# Replays race 1 twice: pre-fix must find the bug (exit 1), post-fix must
# be clean (exit 0).
demo: build
	@echo "==> $(HVSIM) run $(DEMO) --variant pre-fix"
	@$(HVSIM) run $(DEMO) --variant pre-fix; rc=$$?; \
	if [ $$rc -ne 1 ]; then echo "demo: expected the pre-fix race (exit 1), got exit $$rc"; exit 1; fi
	@echo
	@echo "==> $(HVSIM) run $(DEMO) --variant post-fix"
	@$(HVSIM) run $(DEMO) --variant post-fix

check: build
	meson test -C $(BUILD) --print-errorlogs

bench: build
	meson test -C $(BUILD) --benchmark --verbose

clean:
	rm -rf $(BUILD)
