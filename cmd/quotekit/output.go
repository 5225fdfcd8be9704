package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
)

// newTable returns a writer that aligns tab-separated columns; Flush it when done.
func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
}

// row writes one table row; each cell is made safe for a terminal.
func row(w io.Writer, cells ...string) {
	for i, c := range cells {
		cells[i] = cell(c)
	}
	fmt.Fprintln(w, strings.Join(cells, "\t"))
}

// cell makes a value from the database safe to print in a table: empty is "-", and text
// with tabs, line breaks or other control characters (which would break the alignment,
// or drive the terminal) is printed quoted with escapes.
func cell(s string) string {
	if s == "" {
		return "-"
	}
	for _, r := range s {
		if !unicode.IsPrint(r) && r != ' ' {
			return strconv.QuoteToASCII(s)
		}
	}
	return s
}

// writeJSON prints v as indented JSON.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// when formats a time for a table, in UTC; the zero time is "-".
func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05Z")
}

// timePtr is t in UTC for JSON, nil (omitted) for the zero time.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// orDash joins a list for a table.
func orDash(list []string) string {
	if len(list) == 0 {
		return "-"
	}
	return strings.Join(list, ",")
}

// printOnce prints a credential that is shown this one time: out as JSON with --json,
// else the label/value rows as a table; then the one-time warning on stderr.
func printOnce(c *cli, out any, rows [][2]string, warning string) error {
	if c.json {
		if err := writeJSON(c.stdout, out); err != nil {
			return err
		}
	} else {
		tw := newTable(c.stdout)
		for _, r := range rows {
			row(tw, r[0], r[1])
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	c.info(warning)
	return nil
}
