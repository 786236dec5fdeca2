"""Per-function instruction counts of V8's JIT code from two callgrind runs (bench/events-callgrind.sh).

Usage: python3 bench/callgrind-jit.py DIR EVENTS
DIR holds cg-2.out / perf-2.map and cg-4.out / perf-4.map (callgrind with --dump-instr=yes, and
node's --perf-basic-prof map of the same process); EVENTS is the events of one round. JIT code has
no symbols in callgrind; its instruction addresses are looked up in the perf map (the latest entry
covering an address wins, since V8 reuses code space). Prints the per-round difference per function
divided by EVENTS, and the totals of the JavaScript functions and of V8's builtins.
"""
import bisect
import collections
import re
import sys


def load_map(path):
    entries = []
    for i, line in enumerate(open(path)):
        a, size, name = line.rstrip('\n').split(' ', 2)
        entries.append((int(a, 16), int(size, 16), i, name))
    entries.sort()
    return entries, [e[0] for e in entries], max((e[1] for e in entries), default=0)


def jit_name(entries, starts, maxsize, addr, cache):
    if addr in cache:
        return cache[addr]
    best = None
    i = bisect.bisect_right(starts, addr) - 1
    while i >= 0 and entries[i][0] + maxsize > addr:
        a, size, order, name = entries[i]
        if addr < a + size and (best is None or order > best[0]):
            best = (order, name)
        i -= 1
    name = best[1] if best else '(jit, unnamed)'
    name = re.sub(r'^JS:[*^~+]?', '', name)
    name = re.sub(r' (file://)?/\S+/(src|bench)/', r' \2/', name)
    name = re.sub(r':\d+:\d+$', '', name)
    cache[addr] = name
    return name


def costs(cg_path, map_path):
    entries, starts, maxsize = load_map(map_path)
    cache = {}
    subst = {}
    out = collections.Counter()
    ob = fn = ''
    addr = 0
    after_call = False

    def named(line, key):
        m = re.match(r'\((\d+)\)(?: (.*))?', line)
        if m.group(2) is not None:
            subst[(key, m.group(1))] = m.group(2)
        return subst.get((key, m.group(1)), '?')

    for line in open(cg_path):
        c = line[0]
        if c in '0123456789+-*':
            parts = line.split()
            t = parts[0]
            if t.startswith('0x'):
                addr = int(t, 16)
            elif t[0] == '+':
                addr += int(t[1:])
            elif t[0] == '-':
                addr -= int(t[1:])
            if after_call:
                after_call = False
                continue
            if len(parts) < 3:
                continue
            ir = int(parts[2])
            if ob.startswith('???') or ob == '?':
                out[jit_name(entries, starts, maxsize, addr, cache)] += ir
            else:
                out[ob.split('/')[-1] + ': ' + fn[:70]] += ir
        elif line.startswith('calls='):
            after_call = True
        elif line.startswith('ob='):
            ob = named(line[3:].strip(), 'ob')
        elif line.startswith('cob='):
            named(line[4:].strip(), 'ob')
        elif line.startswith('fn='):
            fn = named(line[3:].strip(), 'fn')
        elif line.startswith('cfn='):
            named(line[4:].strip(), 'fn')
    return out


def main():
    d, events = sys.argv[1], int(sys.argv[2])
    a = costs(f'{d}/cg-2.out', f'{d}/perf-2.map')
    b = costs(f'{d}/cg-4.out', f'{d}/perf-4.map')
    per = {k: (b[k] - a[k]) / 2 / events for k in set(a) | set(b)}
    js = sum(v for k, v in per.items() if ' src/' in k or ' bench/' in k)
    builtins = sum(v for k, v in per.items() if 'Builtins_' in k)
    print(f'instructions per event (one round of {events} events): JavaScript {js:.0f}, V8 builtins {builtins:.0f}')
    for k, v in sorted(per.items(), key=lambda x: -x[1])[:25]:
        print(f'{v:8.0f}  {k}')


main()
