package sessionagg

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"iter"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sessionagg/sessionagg/internal/jsonfloat"
)

// A Page is a run of consecutive rows of a [Result], as the cloud API
// returns them: at most the requested number, and a token for the next
// page unless this is the last.
type Page struct {
	Rows      []Row
	NextToken string // empty on the last page
	r         *Result
}

// Page returns the page of at most maxResults rows that token points to:
// the first page for an empty token, and otherwise the page after the one
// whose NextToken it is. If maxResults <= 0, the page holds all the
// remaining rows.
//
// A token is opaque and tied to the query and the rows of the Result that
// made it: a token from another query, from the same query over other
// data, or one that was forged, corrupted or truncated, is an error
// wrapping [ErrInvalidToken], never a wrong page. The same rows give the
// same tokens, in any process, so a token outlives the Result that made
// it. The first token costs a pass over the rows, to digest them.
func (r *Result) Page(token string, maxResults int) (Page, error) {
	off, end, next, err := r.pageBounds(token, maxResults)
	if err != nil {
		return Page{}, err
	}
	return Page{Rows: r.rows(off, end), NextToken: next, r: r}, nil
}

// PageColumns is [Result.Page] for a caller that reads rows as columns:
// it appends the page's rows to c, as [Result.AppendColumns] does, and
// returns the page's NextToken, or Page's error, with nothing appended.
func (r *Result) PageColumns(c *RowColumns, token string, maxResults int) (string, error) {
	off, end, next, err := r.pageBounds(token, maxResults)
	if err != nil {
		return "", err
	}
	r.AppendColumns(c, off, end)
	return next, nil
}

// pageBounds returns the rows [off, end) of the page that token points
// to, of at most maxResults rows, and the token of the next page.
func (r *Result) pageBounds(token string, maxResults int) (off, end int, next string, err error) {
	if token != "" {
		if off, err = r.decodeToken(token); err != nil {
			return 0, 0, "", err
		}
	}
	end = r.Len()
	if maxResults > 0 && maxResults < end-off {
		end = off + maxResults
	}
	if end < r.Len() {
		next = r.token(end)
	}
	return off, end, next, nil
}

// Pages returns the pages of at most maxResults rows each, from the first
// to the last. If r has no rows, there is one empty page.
func (r *Result) Pages(maxResults int) iter.Seq[Page] {
	return func(yield func(Page) bool) {
		token := ""
		for {
			p, err := r.Page(token, maxResults)
			if err != nil || !yield(p) || p.NextToken == "" {
				return
			}
			token = p.NextToken
		}
	}
}

// A token is base64url of: a version byte (2), the offset of the next row
// as 8 bytes big-endian, and the first 16 bytes of HMAC-SHA-256, keyed
// with the digest of the Result's rows (see rowsDigest), over the query's
// fingerprint, the number of rows and the offset. Without the rows, a
// token cannot be made; with other rows, even of the same query and
// number, it does not match.
const tokenVersion = 2

func (r *Result) tokenMAC(off int) []byte {
	h := hmac.New(sha256.New, r.rowsDigest())
	h.Write([]byte(r.fp))
	var n [16]byte
	binary.BigEndian.PutUint64(n[:8], uint64(r.Len()))
	binary.BigEndian.PutUint64(n[8:], uint64(off))
	h.Write(n[:])
	return h.Sum(nil)[:16]
}

// rowsDigest returns the SHA-256 of r's rows, computed on first use: the
// buckets, the groups' labels, the counts, every float of the sums, and
// the job names.
func (r *Result) rowsDigest() []byte {
	r.digestOnce.Do(func() {
		h := sha256.New()
		var b []byte
		for i := range r.refs {
			ref := &r.refs[i]
			b = binary.AppendVarint(b[:0], ref.start)
			b = binary.AppendVarint(b, ref.end)
			for _, l := range r.groups[ref.group][:len(r.q.GroupBy)] {
				b = appendString(b, l)
			}
			if ref.cell < 0 {
				b = append(b, 0)
			} else {
				s, job := r.view.sums(ref)
				b = append(b, 1)
				b = binary.AppendUvarint(b, uint64(s.runtime.count))
				for _, st := range [2]*Stats{&s.runtime, &s.cost} {
					for _, f := range [4]float64{st.sum, st.c, st.min, st.max} {
						b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
					}
				}
				b = appendString(b, job)
			}
			h.Write(b)
		}
		r.digest = h.Sum(nil)
	})
	return r.digest
}

func (r *Result) token(off int) string {
	b := make([]byte, 0, 25)
	b = append(b, tokenVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(off))
	b = append(b, r.tokenMAC(off)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (r *Result) decodeToken(token string) (int, error) {
	bad := func(why string) (int, error) {
		// The token as given, or its start: an error need not be as
		// long as what it refuses.
		quoted := strconv.Quote(token)
		if len(token) > 64 {
			quoted = strconv.Quote(token[:64]) + "…"
		}
		return 0, fmt.Errorf("%w %s: %s", ErrInvalidToken, quoted, why)
	}
	// base64 skips \n and \r, even in Strict mode: a token must be
	// exactly one that Page gave out, in the alphabet alone.
	if len(token) != base64.RawURLEncoding.EncodedLen(25) || strings.ContainsFunc(token, func(c rune) bool {
		return !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_')
	}) {
		return bad("not a token of this package")
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(b) != 25 {
		return bad("not a token of this package")
	}
	if b[0] != tokenVersion {
		return bad("unknown version " + strconv.Itoa(int(b[0])))
	}
	off := binary.BigEndian.Uint64(b[1:9])
	if off == 0 || off >= uint64(r.Len()) {
		return bad("made by another query or for other data")
	}
	if !hmac.Equal(r.tokenMAC(int(off)), b[9:]) {
		return bad("made by another query or for other data")
	}
	return int(off), nil
}

// MarshalJSON writes p in the cloud API's GetSessionsStatisticsAggregation
// response shape:
//
//	{"statistics":[{"queueId":"q-1","count":3,
//	  "costInUsd":{"min":0.5,"max":2,"avg":1.1,"sum":3.3},
//	  "runtimeInSeconds":{"min":600,"max":3600,"avg":2000,"sum":6000},
//	  "aggregationStartTime":"2026-03-01T00:00:00+08:00",
//	  "aggregationEndTime":"2026-03-02T00:00:00+08:00"}],
//	 "status":"COMPLETED","nextToken":"..."}
//
// A row holds the query's group-by labels (and jobName when grouping by
// JOB_ID) in the order of the API's documentation, then the count, then
// only the requested statistics, in the order min, max, avg, sum; a row
// with a count of zero has no min, max or avg. Times are RFC 3339 in the
// query's location, with fractional seconds only when they are not zero.
// nextToken is left out on the last page. The output is compact; the bytes
// are stable across runs. A Page that neither [Result.Page] nor
// [Page.UnmarshalJSON] made has no query to say which labels and
// statistics to write, and is an error wrapping [ErrInvalidQuery]; each of
// its rows marshals on its own (see [Row.MarshalJSON]).
func (p Page) MarshalJSON() ([]byte, error) {
	if p.r == nil {
		return nil, errNoQuery
	}
	q := &p.r.q
	stats := q.statistics()
	b := []byte(`{"statistics":[`)
	for i := range p.Rows {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendRowJSON(b, &p.Rows[i], q, stats)
	}
	b = append(b, `],"status":"COMPLETED"`...)
	if p.NextToken != "" {
		b = append(b, `,"nextToken":`...)
		b = appendJSONString(b, p.NextToken)
	}
	return append(b, '}'), nil
}

// responseOrder is the order of the labels in the API's response syntax.
var responseOrder = [...]Field{QueueID, FleetID, JobID, UserID, UsageType, LicenseProduct, InstanceType}

func appendRowJSON(b []byte, r *Row, q *Query, stats uint8) []byte {
	b = append(b, '{')
	var grouped [LicenseProduct + 1]bool
	for _, f := range q.GroupBy {
		grouped[f] = true
	}
	for _, f := range responseOrder {
		if !grouped[f] {
			continue
		}
		b = append(b, '"')
		b = append(b, jsonNames[f]...)
		b = append(b, `":`...)
		b = appendJSONString(b, r.Label(f))
		b = append(b, ',')
		if f == JobID {
			b = append(b, `"jobName":`...)
			b = appendJSONString(b, r.JobName)
			b = append(b, ',')
		}
	}
	b = append(b, `"count":`...)
	b = strconv.AppendInt(b, r.Count, 10)
	b = append(b, `,"costInUsd":`...)
	b = appendStatsJSON(b, &r.CostInUSD, stats)
	b = append(b, `,"runtimeInSeconds":`...)
	b = appendStatsJSON(b, &r.RuntimeInSeconds, stats)
	b = append(b, `,"aggregationStartTime":"`...)
	b = r.Start.AppendFormat(b, rfc3339)
	b = append(b, `","aggregationEndTime":"`...)
	b = r.End.AppendFormat(b, rfc3339)
	return append(b, `"}`...)
}

// rfc3339 is RFC 3339 with fractional seconds only when they are not zero.
const rfc3339 = "2006-01-02T15:04:05.999999999Z07:00"

func appendStatsJSON(b []byte, s *Stats, stats uint8) []byte {
	b = append(b, '{')
	first := true
	add := func(name string, v float64) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, `":`...)
		b = appendJSONFloat(b, v)
	}
	if s.Count() > 0 {
		if stats&(1<<Min) != 0 {
			add("min", s.Min())
		}
		if stats&(1<<Max) != 0 {
			add("max", s.Max())
		}
		if stats&(1<<Avg) != 0 {
			add("avg", s.Avg())
		}
	}
	if stats&(1<<Sum) != 0 {
		add("sum", s.Sum())
	}
	return append(b, '}')
}

// appendJSONFloat appends f as encoding/json writes a float64.
func appendJSONFloat(b []byte, f float64) []byte { return jsonfloat.Append(b, f) }

// appendJSONString appends s as encoding/json writes a string.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			// Escapes, HTML-safe characters and invalid UTF-8 as
			// encoding/json has them.
			q, _ := json.Marshal(s) // a string always marshals
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// MarshalJSON writes all of r in the cloud API's response shape, with
// status COMPLETED and no nextToken: see [Page.MarshalJSON].
func (r *Result) MarshalJSON() ([]byte, error) {
	return r.AppendPageJSON(nil, "", 0)
}

// AppendPageJSON appends to b the JSON of the page that token and
// maxResults point to: the bytes that [Result.Page] and then
// [Page.MarshalJSON] return, made from the rows as they lie, with no Row
// per row. A bad token is Page's error, with b returned unchanged.
func (r *Result) AppendPageJSON(b []byte, token string, maxResults int) ([]byte, error) {
	off, end, next, err := r.pageBounds(token, maxResults)
	if err != nil {
		return b, err
	}
	b = append(b, `{"statistics":[`...)
	b = r.AppendRowsJSON(b, off, end, ',')
	b = append(b, `],"status":"COMPLETED"`...)
	if next != "" {
		b = append(b, `,"nextToken":`...)
		b = appendJSONString(b, next)
	}
	return append(b, '}'), nil
}

// AppendRowsJSON appends to b rows [i, j) of r, in order, each as
// [Page.MarshalJSON] writes it in the statistics array, with the byte sep
// between one row and the next: ',' for the elements of a JSON array,
// '\n' for JSON Lines. It makes no Row per row, and formats the times of
// a bucket once for all its rows. AppendRowsJSON panics if i or j is out
// of range or j < i, as slicing does.
func (r *Result) AppendRowsJSON(b []byte, i, j int, sep byte) []byte {
	_ = r.refs[i:j] // the panic of a bad range, before anything is written
	var w rowsJSON
	w.init(r)
	var sum int64
	for lo := i; lo < j; lo += readAhead {
		hi := min(j, lo+readAhead)
		sum += r.load(lo, hi)
		for k := lo; k < hi; k++ {
			if k > i {
				b = append(b, sep)
			}
			b = w.append(b, &r.refs[k])
		}
	}
	readSink.Add(sum)
	return b
}

// rowsJSON appends rows of a Result as appendRowJSON does, from the row
// store: each row's labels from its group, its statistics from its cell,
// and its times formatted once per bucket.
type rowsJSON struct {
	r     *Result
	keys  []jsonLabel // the labels, in response order
	stats uint8

	// The last bucket's start and end, and their RFC 3339 bytes (quoted);
	// has says whether they are set.
	has        bool
	start, end int64
	st, et     []byte

	empty sums // the sums of an empty row
}

// A jsonLabel is a label of a row in the JSON: its key with the quotes
// and colon, the index of its field in the query's GroupBy, and whether
// jobName follows it.
type jsonLabel struct {
	key   string
	k     int
	byJob bool
}

func (w *rowsJSON) init(r *Result) {
	w.r = r
	q := &r.q
	w.stats = q.statistics()
	for _, f := range responseOrder {
		if k := slices.Index(q.GroupBy, f); k >= 0 {
			w.keys = append(w.keys, jsonLabel{`"` + jsonNames[f] + `":`, k, f == JobID})
		}
	}
}

func (w *rowsJSON) append(b []byte, ref *rowRef) []byte {
	r := w.r
	if !w.has || ref.start != w.start {
		w.st = append(w.st[:0], `,"aggregationStartTime":"`...)
		w.st = r.win.startTime(ref.start, r.loc).AppendFormat(w.st, rfc3339)
	}
	if !w.has || ref.end != w.end {
		w.et = append(w.et[:0], `","aggregationEndTime":"`...)
		w.et = r.win.endTime(ref.end, r.loc).AppendFormat(w.et, rfc3339)
		w.et = append(w.et, `"}`...)
	}
	w.has, w.start, w.end = true, ref.start, ref.end
	var s *sums
	job := ""
	if ref.cell >= 0 {
		s, job = r.view.sums(ref)
	} else {
		s = &w.empty
	}
	b = append(b, '{')
	ls := r.groups[ref.group]
	for _, l := range w.keys {
		b = append(b, l.key...)
		b = appendJSONString(b, ls[l.k])
		b = append(b, ',')
		if l.byJob {
			b = append(b, `"jobName":`...)
			b = appendJSONString(b, job)
			b = append(b, ',')
		}
	}
	b = append(b, `"count":`...)
	b = strconv.AppendInt(b, s.runtime.count, 10)
	b = append(b, `,"costInUsd":`...)
	b = appendStatsJSON(b, &s.cost, w.stats)
	b = append(b, `,"runtimeInSeconds":`...)
	b = appendStatsJSON(b, &s.runtime, w.stats)
	b = append(b, w.st...)
	return append(b, w.et...)
}
