"""GS1 and HIBC labels: device labels per packaging level and SSCC case labels, as PDF."""
