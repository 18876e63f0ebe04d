#!/usr/bin/env python3
"""Writes, on stdout, a gnuplot script that draws bench/curves' PNG plots from the JSON files in
the directory given (bench/results by default). Used as: python3 bench/curves-plot.py DIR | gnuplot
A curve whose JSON is missing is skipped."""
import json
import os
import sys

out = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "results"))
script = [
    "set terminal pngcairo size 900,560 font 'sans,10'" if os.environ.get("PSE_PLOT_CAIRO") else
    "set terminal png size 900,560",
    "set grid",
    "set key top left",
]


def load(name):
    path = os.path.join(out, name + ".json")
    return json.load(open(path)) if os.path.exists(path) else None


def block(name, rows):
    script.append(f"${name} << EOD")
    script.extend(" ".join(str(v) for v in row) for row in rows)
    script.append("EOD")


def subtitle(data):
    m = data.get("machine", {})
    return f"{m.get('date', '')}, {m.get('cpus', '?')} shared CPUs, load {m.get('loadavg', '?').split()[0]}"


connections = load("connections")
if connections:
    rows = [(p["connections"], p["pse"]["throughput_per_second"], p["nginx"]["throughput_per_second"],
             p["pse"]["latency"]["p99_us"] / 1000, p["nginx"]["latency"]["p99_us"] / 1000,
             p["pse"]["broker_vmhwm_kib"] / 1024, p["pse"].get("broker_cpu_us_per_exchange") or 0,
             p["nginx"].get("nginx_cpu_us_per_request") or 0,
             (p["pse"].get("broker_cpu_us_per_exchange") or 0) + (p["pse"].get("provider_cpu_us_per_exchange") or 0))
            for p in connections["points"]]
    block("conn", rows)
    script += [
        f"set output '{out}/connections-throughput.png'",
        f"set title \"Throughput against concurrent connections (1 KiB records)\\n{subtitle(connections)}\"",
        "set logscale x 2", "set xrange [0.8:640]", "set xlabel 'keep-alive mTLS connections'", "set ylabel 'exchanges / s'",
        "set yrange [0:*]",
        "plot $conn using 1:2 with linespoints lw 2 title 'PSE (policy, audit, provider over WebSocket)', "
        "$conn using 1:3 with linespoints lw 2 title 'nginx (two mTLS hops, no checks)'",
        f"set output '{out}/connections-p99.png'",
        f"set title \"p99 latency against concurrent connections (1 KiB records)\\n{subtitle(connections)}\"",
        "set logscale y 10", "set ylabel 'p99 latency (ms)'", "set yrange [*:*]",
        "plot $conn using 1:4 with linespoints lw 2 title 'PSE p99', $conn using 1:5 with linespoints lw 2 title 'nginx p99'",
        "unset logscale y",
        f"set output '{out}/connections-memory-cpu.png'",
        f"set title \"Broker peak RSS and CPU per exchange against connections\\n{subtitle(connections)}\"",
        "set ylabel 'peak RSS, VmHWM (MiB)'", "set y2label 'CPU per exchange (µs)'", "set ytics nomirror",
        "set y2tics", "set yrange [0:*]", "set y2range [0:*]",
        "plot $conn using 1:6 with linespoints lw 2 title 'pse-broker VmHWM (MiB)', "
        "$conn using 1:7 axes x1y2 with linespoints lw 2 title 'pse-broker CPU µs / exchange', "
        "$conn using 1:9 axes x1y2 with linespoints lw 2 title 'pse-broker + pse-bench-provider CPU µs / exchange', "
        "$conn using 1:8 axes x1y2 with linespoints lw 2 title 'nginx workers CPU µs / request'",
        "unset y2tics", "unset y2label", "set ytics mirror", "unset logscale x", "set xrange [*:*]",
    ]

records = load("records")
if records:
    rows = [(p["record_bytes"], p["throughput_per_second"], p["latency"]["p99_us"] / 1000,
             p["broker_vmhwm_kib"] / 1024, p["throughput_per_second"] * p["mean_body_bytes"] / 2**20)
            for p in records["points"]]
    block("rec", rows)
    script += [
        f"set output '{out}/records.png'",
        f"set title \"PSE against record size (64 connections)\\n{subtitle(records)}\"",
        "set logscale x 10", "set logscale y 10", "set xlabel 'record size (bytes)'", "set xrange [50:2e6]",
        "set ylabel 'exchanges / s, MiB/s'", "set y2label 'p99 (ms), peak RSS (MiB)'", "set y2tics",
        "set logscale y2 10", "set ytics nomirror", "set yrange [*:*]", "set y2range [*:*]", "set key top center",
        "plot $rec using 1:2 with linespoints lw 2 title 'exchanges / s', "
        "$rec using 1:5 with linespoints lw 2 title 'answer MiB / s', "
        "$rec using 1:3 axes x1y2 with linespoints lw 2 title 'p99 latency (ms)', "
        "$rec using 1:4 axes x1y2 with linespoints lw 2 title 'broker VmHWM (MiB)'",
        "unset y2tics", "unset y2label", "unset logscale y2", "set ytics mirror", "set key top left",
        "unset logscale x", "unset logscale y", "set xrange [*:*]",
    ]

consents = load("consents")
if consents:
    block("cons", [(p["consents"], p["p50_ns"], p["p99_ns"]) for p in consents["points"]])
    # Memory per consent is the growth of the process's RSS; below 10^6 consents the allocator
    # reuses what the previous population freed and the figure means nothing (RESULTS.md).
    block("consmem", [(p["consents"], p["bytes_per_consent"]) for p in consents["points"] if p["consents"] >= 1_000_000])
    script += [
        f"set output '{out}/consents.png'",
        f"set title \"One consent check against the number of consents (in memory)\\n{subtitle(consents)}\"",
        "set logscale x 10", "set xrange [500:2e7]", "set xlabel 'consents in the index'", "set ylabel 'ns per check'",
        "set y2label 'bytes per consent'", "set y2tics", "set ytics nomirror", "set yrange [0:*]", "set y2range [0:*]",
        "plot $cons using 1:2 with linespoints lw 2 title 'p50', $cons using 1:3 with linespoints lw 2 title 'p99', "
        "$consmem using 1:2 axes x1y2 with linespoints lw 2 title 'memory per consent (B), from 10^6'",
        "unset y2tics", "unset y2label", "set ytics mirror", "unset logscale x", "set xrange [*:*]",
    ]

rules = load("rules")
if rules:
    plots = []
    for kind, points in rules["series"].items():
        name = "rules_" + kind
        block(name, [(p["rules"], p["ns"]) for p in points])
        plots.append(f"${name} using 1:2 with linespoints lw 2 title '{kind}'")
    script += [
        f"set output '{out}/rules.png'",
        f"set title \"One policy decision against the number of rules\\n{subtitle(rules)}\"",
        "set logscale x 10", "set xrange [5:2e5]", "set xlabel 'rules in the snapshot'", "set ylabel 'ns per decision (CPU)'",
        "set yrange [0:*]", "plot " + ", ".join(plots), "unset logscale x", "set xrange [*:*]",
    ]

audit = load("audit")
if audit and audit.get("checkpoints"):
    points = audit["checkpoints"]
    block("aud", [(p["entries"], p["append_per_s"], p["proof_ms_median"], p["db_mib"], p.get("subject_lookup_ms_median", "NaN"))
                  for p in points])
    lookups = any("subject_lookup_ms_median" in p for p in points)
    script += [
        f"set output '{out}/audit.png'",
        f"set title \"Audit log: durable append rate, proof and lookup times against its size\\n{subtitle(audit)}\"",
        "set logscale x 10", f"set xrange [7e5:{max(p['entries'] for p in points) * 1.4:g}]", "set xlabel 'entries in the log'",
        "set ylabel 'appends / s (batches ≤ 1024)'",
        "set y2label 'ms (log scale)'", "set y2tics", "set ytics nomirror", "set logscale y2 10",
        "set yrange [0:*]", "set y2range [*:*]", "set key below",
        "plot $aud using 1:2 with linespoints lw 2 title 'durable appends / s', "
        "$aud using 1:3 axes x1y2 with linespoints lw 2 title 'inclusion proof, median (ms)'"
        + (", $aud using 1:5 axes x1y2 with linespoints lw 2 title 'all entries of a subject, median (ms)'" if lookups else ""),
        "unset y2tics", "unset y2label", "unset logscale y2", "set ytics mirror", "unset logscale x", "set key default",
    ]

print("\n".join(script))
