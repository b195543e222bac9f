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

.PHONY: all check check-quick bench install uninstall clean

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

install: all
	install -d $(BINDIR) $(SBINDIR) $(LIBEXECDIR) $(DATADIR)/patch $(MANDIR) $(SYSTEMDDIR)
	install -m 755 kpatch-build/kpatch-build $(BINDIR)/kpatch-build
	install -d $(DATADIR)/lib
	install -m 644 kpatch-build/lib/*.sh kpatch-build/lib/*.mk $(DATADIR)/lib/
	install -m 755 kpatch/kpatch $(SBINDIR)/kpatch
	install -m 755 create-diff-object/create-diff-object create-diff-object/create-klp-module \
		create-diff-object/kpatch-dump $(LIBEXECDIR)/
	cp -r kmod/patch/. $(DATADIR)/patch/
	install -d $(DATADIR)/probe
	cp -r kmod/probe/. $(DATADIR)/probe/
	install -m 644 man/kpatch-build.1 man/kpatch.1 $(MANDIR)/
	sed 's|/usr/local/sbin/|$(PREFIX)/sbin/|' kpatch/kpatch.service >$(SYSTEMDDIR)/kpatch.service

uninstall:
	rm -f $(BINDIR)/kpatch-build $(SBINDIR)/kpatch $(MANDIR)/kpatch-build.1 $(MANDIR)/kpatch.1
	rm -f $(SYSTEMDDIR)/kpatch.service
	rm -rf $(LIBEXECDIR) $(DATADIR)

clean:
	$(MAKE) -C create-diff-object clean
