"""candor_protocol.py - the model side of candor's --model-cmd protocol.

candor starts the command once and talks to it over stdin/stdout
(docs/explain.md has the full description):

    candor:  candor-model-cmd 1
             f1,f2,...,fM                 CSV header: the model's features
    model:   ok K KIND                    K outputs; probability|margin|value
    candor:  predict N                    then N CSV rows, original values,
                                          categories as strings, missing = empty
    model:   N lines of K numbers         (or one line: error MESSAGE)
    ...      until candor closes stdin.

serve(predict, k, kind) runs that loop: `predict(header, rows)` receives the
feature names and a list of N rows (lists of strings) and returns N rows of K
numbers (a numpy array or nested lists). Answers are flushed after each
batch; numbers are written with 17 significant digits so they read back
exactly.
"""
import csv
import sys


def read_csv_rows(path):
    """Header and rows of a CSV file, as strings."""
    with open(path, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        return header, [row for row in r]


def serve(predict, k, kind, setup=None):
    """Answer candor's requests on stdin/stdout until end of input.

    setup(header), if given, runs once after the handshake's header arrives
    (for example to train or load the model for those features)."""
    inp = sys.stdin
    out = sys.stdout
    hello = inp.readline()
    if hello.strip() != "candor-model-cmd 1":
        sys.stderr.write("expected 'candor-model-cmd 1', got %r\n" % hello)
        sys.exit(2)
    header = next(csv.reader([inp.readline()]))
    try:
        if setup is not None:
            setup(header)
    except Exception as e:  # report instead of dying silently
        out.write("error %s\n" % str(e).replace("\n", " "))
        out.flush()
        sys.exit(1)
    out.write("ok %d %s\n" % (k, kind))
    out.flush()
    while True:
        line = inp.readline()
        if not line:
            return
        parts = line.split()
        if len(parts) != 2 or parts[0] != "predict":
            out.write("error unexpected request %r\n" % line.strip())
            out.flush()
            return
        n = int(parts[1])
        rows = list(csv.reader([inp.readline() for _ in range(n)]))
        try:
            y = predict(header, rows)
        except Exception as e:
            out.write("error %s\n" % str(e).replace("\n", " "))
            out.flush()
            continue
        lines = [",".join("%.17g" % float(v) for v in (r if hasattr(r, "__len__") else [r]))
                 for r in y]
        out.write("\n".join(lines) + "\n")
        out.flush()
