#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Mutation fuzzing of the create-diff-object tools; run through mutate.sh."""

import argparse
import os
import random
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile

SANITIZER_MARKS = (b"ERROR: AddressSanitizer", b"runtime error:",
                   b"ERROR: LeakSanitizer", b"SUMMARY: UndefinedBehaviorSanitizer")
FSIZE_LIMIT = 64 << 20
TIMEOUT = 20

# Values that tend to break index and size checks.
INTERESTING = [0, 1, 2, 3, 7, 8, 0x10, 0x18, 0x40, 0x7f, 0x80, 0xff, 0x100,
               0xffff, 0xff00, 0xff20, 0xfff1, 0xfff2, 0x10000, 0x7fffffff,
               0x80000000, 0xffffffff, 0x100000000, 0x7fffffffffffffff,
               0x8000000000000000, 0xffffffffffffffff, 0xfffffffffffffffc]


class Elf:
    """Offsets of the interesting fields of an ELF64 file (if parseable)."""

    def __init__(self, data):
        self.shdrs = []          # (offset of header, (fields...))
        self.symtabs = []        # (offset, size)
        self.relas = []          # (offset, size)
        if len(data) < 64 or data[:4] != b"\x7fELF":
            return
        shoff, = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", data, 0x3a)
        if shentsize != 64 or shoff > len(data):
            return
        for i in range(shnum):
            off = shoff + i * 64
            if off + 64 > len(data):
                break
            f = struct.unpack_from("<IIQQQQIIQQ", data, off)
            self.shdrs.append((off, f))
            typ, soff, size = f[1], f[4], f[5]
            if soff + size > len(data):
                continue
            if typ == 2:
                self.symtabs.append((soff, size))
            elif typ == 4:
                self.relas.append((soff, size))


# (offset in the header, size) of each section header field
SHDR_FIELDS = [(0, 4), (4, 4), (8, 8), (24, 8), (32, 8), (40, 4), (44, 4),
               (48, 8), (56, 8)]
EHDR_FIELDS = [(0x10, 2), (0x12, 2), (0x28, 8), (0x3a, 2), (0x3c, 2),
               (0x3e, 2), (0x04, 1), (0x05, 1)]
SYM_FIELDS = [(0, 4), (4, 1), (6, 2), (8, 8), (16, 8)]
RELA_FIELDS = [(0, 8), (8, 4), (12, 4), (16, 8)]


def put(data, off, size, value):
    if off + size <= len(data):
        data[off:off + size] = (value & ((1 << (8 * size)) - 1)).to_bytes(size, "little")


def pick_value(rng, size, elf):
    choice = rng.random()
    if choice < 0.5:
        v = rng.choice(INTERESTING)
    elif choice < 0.7 and elf.shdrs:
        v = len(elf.shdrs) + rng.randint(-2, 2)
    else:
        v = rng.getrandbits(8 * size)
    return v & ((1 << (8 * size)) - 1)


def mutate_once(rng, data):
    elf = Elf(bytes(data))
    kind = rng.choice(["flip", "flip", "trunc", "ehdr", "shdr", "shdr",
                       "shdr", "sym", "sym", "rela", "rela", "swap"])
    if kind == "trunc" and len(data) > 1:
        del data[rng.randrange(len(data)):]
    elif kind == "ehdr":
        off, size = rng.choice(EHDR_FIELDS)
        put(data, off, size, pick_value(rng, size, elf))
    elif kind == "shdr" and elf.shdrs:
        hoff, _ = rng.choice(elf.shdrs)
        off, size = rng.choice(SHDR_FIELDS)
        put(data, hoff + off, size, pick_value(rng, size, elf))
    elif kind == "sym" and elf.symtabs:
        soff, ssize = rng.choice(elf.symtabs)
        if ssize >= 24:
            base = soff + 24 * rng.randrange(ssize // 24)
            off, size = rng.choice(SYM_FIELDS)
            put(data, base + off, size, pick_value(rng, size, elf))
    elif kind == "rela" and elf.relas:
        roff, rsize = rng.choice(elf.relas)
        if rsize >= 24:
            base = roff + 24 * rng.randrange(rsize // 24)
            off, size = rng.choice(RELA_FIELDS)
            put(data, base + off, size, pick_value(rng, size, elf))
    elif kind == "swap" and len(elf.shdrs) > 2:
        # two section headers trade one field (types, links, offsets...)
        (a, _), (b, _) = rng.sample(elf.shdrs[1:], 2)
        off, size = rng.choice(SHDR_FIELDS)
        va = bytes(data[a + off:a + off + size])
        data[a + off:a + off + size] = data[b + off:b + off + size]
        data[b + off:b + off + size] = va
    elif data:
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(data))
            data[i] = rng.getrandbits(8) if rng.random() < 0.5 else data[i] ^ (1 << rng.randrange(8))


def limit_child():
    resource.setrlimit(resource.RLIMIT_FSIZE, (FSIZE_LIMIT, FSIZE_LIMIT))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def run(argv, allowed):
    """Return None when the run is fine, else a description of the failure."""
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = "detect_leaks=0:exitcode=99:abort_on_error=0"
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:exitcode=98"
    try:
        p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=TIMEOUT, env=env, preexec_fn=limit_child)
    except subprocess.TimeoutExpired:
        return "timeout after %ds" % TIMEOUT, b""
    err = p.stderr
    if p.returncode < 0:
        sig = -p.returncode
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        extra = " (output over the %d MiB file size limit)" % (FSIZE_LIMIT >> 20) \
            if sig == signal.SIGXFSZ else ""
        return "killed by %s%s" % (name, extra), err
    if any(m in err for m in SANITIZER_MARKS):
        return "sanitizer report (status %d)" % p.returncode, err
    if p.returncode not in allowed:
        return "exit status %d (expected %s)" % (p.returncode, "/".join(map(str, sorted(allowed)))), err
    return None, err


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iterations", type=int, default=300)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bindir", required=True)
    ap.add_argument("--faildir", required=True)
    ap.add_argument("--parent", required=True)
    ap.add_argument("--quiet", type=int, default=0)
    ap.add_argument("seeds", nargs="+")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    seeds = [(s, open(s, "rb").read()) for s in args.seeds if os.path.isfile(s)]
    if not seeds:
        print("mutate.sh: no seed objects", file=sys.stderr)
        return 1
    bins = {n: os.path.join(args.bindir, n)
            for n in ("create-diff-object", "create-klp-module", "kpatch-dump")}
    work = tempfile.mkdtemp(prefix="cdo-mutate-")
    symvers = os.path.join(work, "Module.symvers")
    with open(symvers, "w") as f:
        f.write("0x12345678\tprintk\tvmlinux\tEXPORT_SYMBOL\t\n")
    passed = failed = 0
    try:
        for it in range(args.iterations):
            seed_path, seed_data = rng.choice(seeds)
            data = bytearray(seed_data)
            for _ in range(rng.choice([1, 1, 1, 2, 3, 5])):
                mutate_once(rng, data)
            mut = os.path.join(work, "mut-%d.o" % it)
            with open(mut, "wb") as f:
                f.write(data)
            out = os.path.join(work, "out.o")
            if rng.random() < 0.5:
                cdo = [bins["create-diff-object"], seed_path, mut]
            else:
                cdo = [bins["create-diff-object"], mut, seed_path]
            runs = [
                ([bins["kpatch-dump"], mut], {0, 1}),
                ([bins["create-klp-module"], mut, os.path.join(work, "out.ko")], {0, 1}),
                (cdo + ["vmlinux", args.parent, symvers, "livepatch_fuzz", out], {0, 1, 2, 3}),
            ]
            problems = []
            for argv, allowed in runs:
                why, err = run(argv, allowed)
                if why:
                    problems.append((argv, why, err))
            killed = any(why.startswith("killed") for _, why, _ in problems)
            for leftover in os.listdir(work):
                # a tool killed by a signal cannot clean up: not a second problem
                if leftover.endswith(".tmp") and not killed:
                    problems.append(([leftover], "temporary output %s left behind" % leftover, b""))
                if leftover.startswith("out.") or leftover.endswith(".tmp"):
                    os.unlink(os.path.join(work, leftover))
            if not args.quiet and it and it % 100 == 0:
                print("... %d iterations, %d failed" % (it, failed), flush=True)
            if not problems:
                passed += 1
                os.unlink(mut)
                continue
            failed += 1
            os.makedirs(args.faildir, exist_ok=True)
            name = "iter%d-%s" % (it, os.path.basename(seed_path))
            keep = os.path.join(args.faildir, name)
            shutil.move(mut, keep)
            with open(keep + ".log", "wb") as log:
                for argv, why, err in problems:
                    cmd = " ".join(a.replace(mut, keep) for a in argv)
                    line = "  problem %s: %s: %s\n" % (name, os.path.basename(argv[0]), why)
                    sys.stdout.write(line)
                    log.write(("$ %s\n# %s\n" % (cmd, why)).encode())
                    log.write(err[-6000:] + b"\n")
            sys.stdout.flush()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    # The whole run is one test: its iterations are not separate checks.
    print("mutate: %d iterations (seed %d): %d clean, %d with problems%s"
          % (args.iterations, args.seed, passed, failed,
             " (inputs kept in %s)" % args.faildir if failed else ""))
    if failed:
        print("FAIL fuzz-mutate: %d of %d iterations found a problem" % (failed, args.iterations))
    else:
        print("PASS fuzz-mutate: %d iterations, every tool exited cleanly" % args.iterations)
    print("%d passed, %d failed, 0 skipped" % (0 if failed else 1, 1 if failed else 0))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
