#!/usr/bin/python3
"""check_svg.py W H FILE... - every FILE is well-formed SVG (xml.etree) of
W x H points that draws something; exit 1 naming the first that is not."""
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def size(text):
    return float(text[:-2] if text.endswith("pt") else text)


def main():
    w, h = float(sys.argv[1]), float(sys.argv[2])
    files = sys.argv[3:]
    if not files:
        print("check_svg: no files", file=sys.stderr)
        return 1
    for f in files:
        try:
            root = ET.parse(f).getroot()
        except ET.ParseError as e:
            print(f"{f}: does not parse: {e}", file=sys.stderr)
            return 1
        if root.tag != SVG + "svg":
            print(f"{f}: root is {root.tag}, not svg", file=sys.stderr)
            return 1
        if abs(size(root.get("width")) - w) > 1e-6 or abs(size(root.get("height")) - h) > 1e-6:
            print(f"{f}: size {root.get('width')} x {root.get('height')}", file=sys.stderr)
            return 1
        shapes = sum(1 for e in root.iter() if e.tag in (SVG + "path", SVG + "rect", SVG + "use"))
        if shapes < 10:
            print(f"{f}: only {shapes} shapes", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
