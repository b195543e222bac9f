# SPDX-License-Identifier: GPL-2.0
# Top-level Makefile: build the C tools, run the tests, install.

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(DESTDIR)$(PREFIX)/bin
SBINDIR = $(DESTDIR)$(PREFIX)/sbin
LIBEXECDIR = $(DESTDIR)$(PREFIX)/libexec/kpatch
DATADIR = $(DESTDIR)$(PREFIX)/share/kpatch
MANDIR = $(DESTDIR)$(PREFIX)/share/man/man1
SYSTEMDDIR = $(DESTDIR)$(PREFIX)/lib/systemd/system
# Where the C tools are installed from (make deb: a hardened build elsewhere).
TOOLSDIR = create-diff-object
# Where make deb writes kpatch-lts_VERSION_amd64.deb and kpatch-lts-build_VERSION_amd64.deb.
DEBOUT ?= out

.PHONY: all check check-quick bench bench-fleet bench-fleet-stable install install-files uninstall deb clean

all:
	$(MAKE) -C create-diff-object

# Every test suite, including the ones that boot the test kernel in qemu.
# Ends with one line "N passed, N failed".
check: all
	bash test/run-all.sh

# Only the suites that need no kernel.
check-quick: all
	bash test/run-all.sh --quick

bench: all
	bash test/bench/run.sh

bench-fleet: all
	bash test/bench/fleet.sh

bench-fleet-stable: all
	bash test/bench/fleet-stable.sh

install: all install-files

# The files of install, without building first (TOOLSDIR must be built).
install-files:
	install -d $(BINDIR) $(SBINDIR) $(LIBEXECDIR) $(DATADIR)/patch $(MANDIR) $(SYSTEMDDIR)
	install -m 755 kpatch-build/kpatch-build $(BINDIR)/kpatch-build
	install -m 755 kpatch-build/kpatch-fleet $(BINDIR)/kpatch-fleet
	install -d $(DATADIR)/lib
	install -m 644 kpatch-build/lib/*.sh kpatch-build/lib/*.mk $(DATADIR)/lib/
	install -m 755 kpatch-build/lib/keep-lines.sh $(DATADIR)/lib/
	install -m 755 kpatch/kpatch $(SBINDIR)/kpatch
	install -m 755 $(TOOLSDIR)/create-diff-object $(TOOLSDIR)/create-klp-module \
		$(TOOLSDIR)/kpatch-dump $(LIBEXECDIR)/
	cp -r kmod/patch/. $(DATADIR)/patch/
	install -d $(DATADIR)/probe
	cp -r kmod/probe/. $(DATADIR)/probe/
	install -m 644 man/kpatch-build.1 man/kpatch-fleet.1 man/kpatch.1 $(MANDIR)/
	sed 's|/usr/local/sbin/|$(PREFIX)/sbin/|' kpatch/kpatch.service >$(SYSTEMDDIR)/kpatch.service

# kpatch-lts (runtime) and kpatch-lts-build (build host) .debs of the tools,
# in $(DEBOUT) (packaging/build-deb.sh).
deb:
	bash packaging/build-deb.sh -o $(DEBOUT)

uninstall:
	rm -f $(BINDIR)/kpatch-build $(BINDIR)/kpatch-fleet $(SBINDIR)/kpatch $(MANDIR)/kpatch-build.1 $(MANDIR)/kpatch-fleet.1 $(MANDIR)/kpatch.1
	rm -f $(SYSTEMDDIR)/kpatch.service
	rm -rf $(LIBEXECDIR) $(DATADIR)

clean:
	$(MAKE) -C create-diff-object clean
