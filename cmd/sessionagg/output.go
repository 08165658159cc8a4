package main

import (
	"bufio"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sessionagg/sessionagg"
	"github.com/sessionagg/sessionagg/internal/jsonfloat"
)

// The three output formats. Each writes one page of rows, once the run can
// no longer fail but for writing: table and csv stream the rows through a
// bufio.Writer, and json indents what Result.AppendPageJSON returns as
// it writes it.

// statOrder is the order of the statistics in every format: that of the
// cloud API's response.
var statOrder = [...]sessionagg.Statistic{sessionagg.Min, sessionagg.Max, sessionagg.Avg, sessionagg.Sum}

// requested returns the statistics of q in statOrder.
func requested(q *sessionagg.Query) []sessionagg.Statistic {
	if len(q.Statistics) == 0 {
		return statOrder[:]
	}
	var out []sessionagg.Statistic
	for _, s := range statOrder {
		for _, t := range q.Statistics {
			if s == t {
				out = append(out, s)
			}
		}
	}
	return out
}

// labelNames are the group-by fields' names in the cloud API's response.
var labelNames = map[sessionagg.Field]string{
	sessionagg.QueueID: "queueId", sessionagg.FleetID: "fleetId", sessionagg.JobID: "jobId",
	sessionagg.UserID: "userId", sessionagg.UsageType: "usageType",
	sessionagg.LicenseProduct: "licenseProduct", sessionagg.InstanceType: "instanceType",
}

// A column is a group label of the rows: its name in the cloud API and
// row i's value.
type column struct {
	name  string
	value func(rows *sessionagg.RowColumns, i int) string
}

// labelColumns returns the group-by labels in group-by order, with the job
// name after the job id.
func labelColumns(q *sessionagg.Query) []column {
	var cols []column
	for k, f := range q.GroupBy {
		cols = append(cols, column{labelNames[f], func(rows *sessionagg.RowColumns, i int) string { return rows.Labels[k][i] }})
		if f == sessionagg.JobID {
			cols = append(cols, column{"jobName", func(rows *sessionagg.RowColumns, i int) string { return rows.JobName[i] }})
		}
	}
	return cols
}

// indentJSON writes the compact JSON src (no space outside strings, as
// MarshalJSON writes it) to w as json.Indent(dst, src, "", "  ") would
// append it to dst, but without a second copy of a page that can be a
// hundred megabytes.
func indentJSON(w *bufio.Writer, src []byte) {
	depth := 0
	newline := func() {
		w.WriteByte('\n')
		for range depth {
			w.WriteString("  ")
		}
	}
	for i := 0; i < len(src); i++ {
		switch c := src[i]; c {
		case '"':
			// Copy the string through its closing quote.
			j := i + 1
			for ; j < len(src) && src[j] != '"'; j++ {
				if src[j] == '\\' {
					j++
				}
			}
			w.Write(src[i:min(j+1, len(src))])
			i = j
		case '{', '[':
			w.WriteByte(c)
			if i+1 < len(src) && (src[i+1] == '}' || src[i+1] == ']') {
				// An empty object or array stays on its line.
				w.WriteByte(src[i+1])
				i++
				continue
			}
			depth++
			newline()
		case '}', ']':
			depth--
			newline()
			w.WriteByte(c)
		case ',':
			w.WriteByte(c)
			newline()
		case ':':
			w.WriteString(": ")
		default:
			w.WriteByte(c)
		}
	}
}

// writeCSV writes a header and one record per row: the bucket's times, the
// labels, the count, then the requested statistics of runtimeInSeconds and
// costInUsd, named like "runtimeInSeconds.sum", with all the digits of the
// JSON output. A min, max or avg of an empty row is an empty field. Fields
// are quoted as encoding/csv quotes them; the records are appended by hand,
// from the rows as columns, because a result can have a million rows.
func writeCSV(w *bufio.Writer, q *sessionagg.Query, rows *sessionagg.RowColumns) {
	writeCSVHeader(w, q)
	writeCSVRows(w, q, rows)
}

// writeCSVHeader writes the header of writeCSV.
func writeCSVHeader(w *bufio.Writer, q *sessionagg.Query) {
	labels, stats := labelColumns(q), requested(q)
	b := []byte("aggregationStartTime,aggregationEndTime")
	for _, c := range labels {
		b = append(b, ',')
		b = append(b, c.name...)
	}
	b = append(b, ",count"...)
	for _, what := range []string{"runtimeInSeconds", "costInUsd"} {
		for _, st := range stats {
			b = append(b, ',')
			b = append(b, what...)
			b = append(b, '.')
			b = append(b, strings.ToLower(st.String())...)
		}
	}
	b = append(b, '\n')
	w.Write(b)
}

// writeCSVRows writes the records of writeCSV.
func writeCSVRows(w *bufio.Writer, q *sessionagg.Query, rows *sessionagg.RowColumns) {
	labels, stats := labelColumns(q), requested(q)
	var b []byte
	for i := range rows.Count {
		b = rows.Start[i].AppendFormat(b, time.RFC3339Nano)
		b = append(b, ',')
		b = rows.End[i].AppendFormat(b, time.RFC3339Nano)
		for _, c := range labels {
			b = append(b, ',')
			b = appendCSVField(b, c.value(rows, i))
		}
		b = append(b, ',')
		b = strconv.AppendInt(b, rows.Count[i], 10)
		for _, s := range [...]*sessionagg.Stats{&rows.RuntimeInSeconds[i], &rows.CostInUSD[i]} {
			for _, st := range stats {
				b = append(b, ',')
				if v, ok := s.Value(st); ok {
					b = jsonfloat.Append(b, v)
				}
			}
		}
		b = append(b, '\n')
		if len(b) > 32<<10 {
			w.Write(b)
			b = b[:0]
		}
	}
	w.Write(b)
}

// appendCSVField appends s as encoding/csv's Writer writes a field: in
// quotes, with quotes doubled, if it has a comma, a quote or a line break,
// starts with a space, or is \. alone.
func appendCSVField(b []byte, s string) []byte {
	r, _ := utf8.DecodeRuneInString(s)
	if s != "" && (s == `\.` || strings.ContainsAny(s, ",\"\r\n") || unicode.IsSpace(r)) {
		b = append(b, '"')
		b = append(b, strings.ReplaceAll(s, `"`, `""`)...)
		return append(b, '"')
	}
	return append(b, s...)
}

// writeTable writes the rows in aligned columns for people: times, labels
// (quoted when empty or not plain), the count, runtimes as hours, minutes
// and seconds, and costs in dollars and cents.
func writeTable(w *bufio.Writer, q *sessionagg.Query, rows *sessionagg.RowColumns) {
	labels, stats := labelColumns(q), requested(q)
	header := []string{"START", "END"}
	for _, c := range labels {
		header = append(header, tableName(c.name))
	}
	header = append(header, "COUNT")
	for _, what := range []string{"RUNTIME_", "COST_"} {
		for _, st := range stats {
			header = append(header, what+st.String())
		}
	}
	writeAligned(w, header, 2+len(labels), len(rows.Count), func(i int, rec []string) []string {
		rec = append(rec, rows.Start[i].Format(time.RFC3339Nano), rows.End[i].Format(time.RFC3339Nano))
		for _, c := range labels {
			rec = append(rec, tableLabel(c.value(rows, i)))
		}
		rec = append(rec, strconv.FormatInt(rows.Count[i], 10))
		for _, st := range stats {
			v, ok := rows.RuntimeInSeconds[i].Value(st)
			rec = append(rec, maybe(ok, formatRuntime(v)))
		}
		for _, st := range stats {
			v, ok := rows.CostInUSD[i].Value(st)
			rec = append(rec, maybe(ok, strconv.FormatFloat(v, 'f', 2, 64)))
		}
		return rec
	})
}

// writeAligned writes n records in aligned columns under header: the
// first numeric columns are text, left-aligned, and the others numbers,
// right-aligned. cells appends the cells of record i to rec. It formats
// the records twice, to measure the columns and to write them, rather than
// keep them all.
func writeAligned(w *bufio.Writer, header []string, numeric, n int, cells func(i int, rec []string) []string) {
	width := make([]int, len(header))
	measure := func(rec []string) {
		for i, c := range rec {
			width[i] = max(width[i], displayWidth(c))
		}
	}
	write := func(rec []string) {
		for i, c := range rec {
			pad := width[i] - displayWidth(c)
			if i > 0 {
				w.WriteString("  ")
			}
			if i >= numeric {
				writeSpaces(w, pad)
			}
			w.WriteString(c)
			if i < numeric && i < len(rec)-1 {
				writeSpaces(w, pad)
			}
		}
		w.WriteByte('\n')
	}
	var rec []string
	measure(header)
	for i := range n {
		rec = cells(i, rec[:0])
		measure(rec)
	}
	write(header)
	for i := range n {
		rec = cells(i, rec[:0])
		write(rec)
	}
}

func writeSpaces(w *bufio.Writer, n int) {
	for range n {
		w.WriteByte(' ')
	}
}

func maybe(ok bool, s string) string {
	if !ok {
		return "-"
	}
	return s
}

// tableName turns "queueId" into "QUEUE_ID".
func tableName(name string) string {
	var b strings.Builder
	for i, r := range name {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// tableLabel returns v as it is if it is plain text, and quoted if it is
// empty or has spaces, quotes or characters that are not printable, so
// that every label is one visible word.
func tableLabel(v string) string {
	if v == "" {
		return `""`
	}
	for _, r := range v {
		if r == utf8.RuneError || r == '"' || r == '\\' || !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return strconv.Quote(v)
		}
	}
	return v
}

// formatRuntime writes seconds as hours:minutes:seconds, rounded to the
// second: 13:00:00, 0:15:00, 1234:05:09.
func formatRuntime(secs float64) string {
	if !(secs < 1e15) { // a million years: beyond hh:mm:ss, and int64
		return strconv.FormatFloat(secs/3600, 'g', 6, 64) + "h"
	}
	s := int64(math.Round(secs))
	return strconv.FormatInt(s/3600, 10) + ":" + two(s/60%60) + ":" + two(s%60)
}

func two(n int64) string {
	return string([]byte{byte('0' + n/10), byte('0' + n%10)})
}

// displayWidth estimates the columns that s takes on a terminal: two for
// East Asian wide and full-width characters, none for combining marks, one
// for the others (Markus Kuhn's wcwidth, in short).
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		case isWide(r):
			w += 2
		default:
			w++
		}
	}
	return w
}

func isWide(r rune) bool {
	return r >= 0x1100 && (r <= 0x115f || r == 0x2329 || r == 0x232a ||
		r >= 0x2e80 && r <= 0xa4cf && r != 0x303f ||
		r >= 0xac00 && r <= 0xd7a3 ||
		r >= 0xf900 && r <= 0xfaff ||
		r >= 0xfe30 && r <= 0xfe6f ||
		r >= 0xff00 && r <= 0xff60 ||
		r >= 0xffe0 && r <= 0xffe6 ||
		r >= 0x1f300 && r <= 0x1f64f ||
		r >= 0x1f900 && r <= 0x1f9ff ||
		r >= 0x20000 && r <= 0x3fffd)
}

// writeJSONArray writes {"key": [items...]}, each item as it marshals
// itself, indented.
func writeJSONArray[T json.Marshaler](w *bufio.Writer, key string, items []T) error {
	b := append([]byte(`{"`), key...)
	b = append(b, `":[`...)
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		j, err := it.MarshalJSON()
		if err != nil {
			return err
		}
		b = append(b, j...)
	}
	b = append(b, "]}"...)
	indentJSON(w, b)
	return w.WriteByte('\n')
}
