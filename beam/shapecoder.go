package sessionbeam

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/sessionagg/sessionagg"
)

// The binary forms of the TRRO and Workspace shapes' elements. Each
// starts with a byte of version, 1; integers are varints, floats 8 bytes
// little-endian IEEE 754, times as in a Session's form (Unix seconds and
// nanoseconds, decoded in UTC), strings a uvarint length and the bytes.
const shapeVersion = 1

// EncodeDeviceSession returns the binary form of s: version, start, end,
// the quality as a byte, the field and the remote device. It is the
// registered Beam coder of sessionagg.DeviceSession.
func EncodeDeviceSession(s sessionagg.DeviceSession) []byte {
	b := appendTime(append(make([]byte, 0, 48), shapeVersion), s.Start)
	b = appendTime(b, s.End)
	b = append(b, byte(s.Quality))
	b = appendString(b, s.FieldDevice)
	return appendString(b, s.RemoteDevice)
}

// DecodeDeviceSession returns the session that EncodeDeviceSession
// encoded in data. Data that is not exactly one encoded session is an
// error wrapping ErrInvalidData; a quality out of range is left for
// Validate to report.
func DecodeDeviceSession(data []byte) (sessionagg.DeviceSession, error) {
	d := decoder{data: data}
	d.version("DeviceSession")
	s := sessionagg.DeviceSession{Start: d.time(), End: d.time(), Quality: sessionagg.Quality(d.byte())}
	s.FieldDevice, s.RemoteDevice = d.string(), d.string()
	if err := d.finish("DeviceSession"); err != nil {
		return sessionagg.DeviceSession{}, err
	}
	return s, nil
}

// EncodeDesktopSession returns the binary form of s: version, start, end,
// the resource id and name. It is the registered Beam coder of
// sessionagg.DesktopSession.
func EncodeDesktopSession(s sessionagg.DesktopSession) []byte {
	b := appendTime(append(make([]byte, 0, 48), shapeVersion), s.Start)
	b = appendTime(b, s.End)
	b = appendString(b, s.ResourceID)
	return appendString(b, s.ResourceName)
}

// DecodeDesktopSession returns the session that EncodeDesktopSession
// encoded in data. Data that is not exactly one encoded session is an
// error wrapping ErrInvalidData.
func DecodeDesktopSession(data []byte) (sessionagg.DesktopSession, error) {
	d := decoder{data: data}
	d.version("DesktopSession")
	s := sessionagg.DesktopSession{Start: d.time(), End: d.time()}
	s.ResourceID, s.ResourceName = d.string(), d.string()
	if err := d.finish("DesktopSession"); err != nil {
		return sessionagg.DesktopSession{}, err
	}
	return s, nil
}

func (d *decoder) version(what string) {
	if v := d.byte(); v != shapeVersion && d.err == nil {
		d.err = fmt.Errorf("%w: %s version %d, want %d", ErrInvalidData, what, v, shapeVersion)
	}
}

func (d *decoder) float() float64 { return math.Float64frombits(d.uint64()) }

func appendFloat(b []byte, f float64) []byte {
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
}

func (d *decoder) bool() bool {
	switch d.byte() {
	case 0:
		return false
	case 1:
		return true
	}
	d.fail("bool")
	return false
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// count reads a length of a list whose items take at least one byte
// each, so that a corrupt length cannot make a huge slice.
func (d *decoder) count() int {
	n := d.uvarint()
	if d.err == nil && n > uint64(len(d.data)) {
		d.fail("count")
	}
	if d.err != nil {
		return 0
	}
	return int(n)
}

func encodeDevicePiece(p devicePiece) []byte {
	b := appendWindow(append(make([]byte, 0, 48), shapeVersion), p.w)
	b = binary.AppendVarint(b, p.nanos)
	b = appendBool(b, p.notBad)
	b = appendString(b, p.field)
	return appendString(b, p.remote)
}

func decodeDevicePiece(data []byte) (devicePiece, error) {
	d := decoder{data: data}
	d.version("device piece")
	p := devicePiece{w: d.window(), nanos: d.varint(), notBad: d.bool()}
	p.field, p.remote = d.string(), d.string()
	return p, d.finish("device piece")
}

func appendSet(b []byte, s set) []byte {
	ids := s.sorted()
	b = binary.AppendUvarint(b, uint64(len(ids)))
	for _, id := range ids {
		b = appendString(b, id)
	}
	return b
}

func (d *decoder) set() set {
	n := d.count()
	var s set
	for range n {
		s.add(d.string())
	}
	return s
}

func appendDuration(b []byte, t duration) []byte {
	b = binary.AppendVarint(b, t.sec)
	return binary.AppendUvarint(b, uint64(t.nsec))
}

func (d *decoder) duration() duration {
	t := duration{sec: d.varint(), nsec: int64(d.uvarint())}
	if t.nsec >= 1e9 {
		d.fail("nanoseconds")
	}
	return t
}

// encodeDeviceAcc writes a bucket's accumulator: version, window, the
// counts, the total, and the two sets as a count and the ids in order.
func encodeDeviceAcc(a deviceAcc) []byte {
	b := appendWindow([]byte{shapeVersion}, a.w)
	b = binary.AppendVarint(b, a.pieces)
	b = binary.AppendVarint(b, a.notBad)
	b = appendDuration(b, a.total)
	b = appendSet(b, a.field)
	return appendSet(b, a.remote)
}

func decodeDeviceAcc(data []byte) (deviceAcc, error) {
	d := decoder{data: data}
	d.version("device accumulator")
	a := deviceAcc{w: d.window(), pieces: d.varint(), notBad: d.varint(), total: d.duration()}
	a.field, a.remote = d.set(), d.set()
	return a, d.finish("device accumulator")
}

func appendDeviceStats(b []byte, stats []sessionagg.DeviceStats) []byte {
	b = binary.AppendUvarint(b, uint64(len(stats)))
	for _, s := range stats {
		b = appendTime(b, s.Start)
		b = appendTime(b, s.End)
		b = binary.AppendVarint(b, s.Sessions)
		b = appendFloat(b, s.TotalMinutes)
		b = binary.AppendVarint(b, int64(s.ActiveFieldDevices))
		b = binary.AppendVarint(b, int64(s.ActiveRemoteDevices))
		b = appendFloat(b, s.NotBadPercent)
	}
	return b
}

func (d *decoder) deviceStats() []sessionagg.DeviceStats {
	n := d.count()
	var stats []sessionagg.DeviceStats
	for range n {
		stats = append(stats, sessionagg.DeviceStats{
			Start: d.time(), End: d.time(), Sessions: d.varint(), TotalMinutes: d.float(),
			ActiveFieldDevices: int(d.varint()), ActiveRemoteDevices: int(d.varint()), NotBadPercent: d.float(),
		})
	}
	return stats
}

func encodeDeviceList(l deviceList) []byte {
	return appendDeviceStats([]byte{shapeVersion}, l.stats)
}

func decodeDeviceList(data []byte) (deviceList, error) {
	d := decoder{data: data}
	d.version("device statistics")
	l := deviceList{stats: d.deviceStats()}
	return l, d.finish("device statistics")
}

// appendSpec writes a query in travelling form as JSON, a uvarint length
// and the bytes.
func appendSpec(b []byte, sp any) ([]byte, error) {
	js, err := json.Marshal(sp)
	if err != nil {
		return nil, err
	}
	return appendString(b, string(js)), nil
}

func (d *decoder) spec(sp any) {
	js := d.bytes()
	if d.err == nil {
		if err := json.Unmarshal(js, sp); err != nil {
			d.err = fmt.Errorf("%w: query: %v", ErrInvalidData, err)
		}
	}
}

// EncodeDeviceReport returns the binary form of r: version, the query as
// JSON, and the statistics. It is r's registered Beam coder.
func EncodeDeviceReport(r DeviceReport) ([]byte, error) {
	b, err := appendSpec([]byte{shapeVersion}, &r.spec)
	if err != nil {
		return nil, err
	}
	return appendDeviceStats(b, r.stats), nil
}

// DecodeDeviceReport returns the report that EncodeDeviceReport encoded
// in data. Data that is not exactly one encoded report is an error
// wrapping ErrInvalidData.
func DecodeDeviceReport(data []byte) (DeviceReport, error) {
	d := decoder{data: data}
	d.version("DeviceReport")
	var r DeviceReport
	d.spec(&r.spec)
	r.stats = d.deviceStats()
	if err := d.finish("DeviceReport"); err != nil {
		return DeviceReport{}, err
	}
	return r, nil
}

func encodeDesktopDay(x desktopDay) []byte {
	b := appendString([]byte{shapeVersion}, x.id)
	b = appendString(b, x.name)
	b = appendBool(b, x.hasDay)
	b = binary.AppendVarint(b, x.day)
	return binary.AppendVarint(b, x.nanos)
}

func decodeDesktopDay(data []byte) (desktopDay, error) {
	d := decoder{data: data}
	d.version("desktop day")
	x := desktopDay{id: d.string(), name: d.string(), hasDay: d.bool(), day: d.varint(), nanos: d.varint()}
	return x, d.finish("desktop day")
}

// encodeDesktopAcc writes a desktop's accumulator: version, id, name, and
// its days in order, each a start and a duration.
func encodeDesktopAcc(a desktopAcc) []byte {
	b := appendString([]byte{shapeVersion}, a.id)
	b = appendString(b, a.name)
	b = binary.AppendUvarint(b, uint64(len(a.days)))
	days := make([]int64, 0, len(a.days))
	for day := range a.days {
		days = append(days, day)
	}
	slices.Sort(days)
	for _, day := range days {
		b = binary.AppendVarint(b, day)
		b = appendDuration(b, a.days[day])
	}
	return b
}

func decodeDesktopAcc(data []byte) (desktopAcc, error) {
	d := decoder{data: data}
	d.version("desktop accumulator")
	a := desktopAcc{id: d.string(), name: d.string()}
	if n := d.count(); n > 0 {
		a.days = make(map[int64]duration, n)
		for range n {
			day := d.varint()
			a.days[day] = d.duration()
		}
	}
	return a, d.finish("desktop accumulator")
}

func appendDesktopUsage(b []byte, usages []sessionagg.DesktopUsage) []byte {
	b = binary.AppendUvarint(b, uint64(len(usages)))
	for _, u := range usages {
		b = appendString(b, u.ResourceID)
		b = appendString(b, u.ResourceName)
		b = appendFloat(b, u.UsageSeconds)
		b = binary.AppendVarint(b, int64(u.IdleDays))
		b = binary.AppendUvarint(b, uint64(len(u.Days)))
		for _, day := range u.Days {
			b = appendTime(b, day.Start)
			b = appendTime(b, day.End)
			b = appendFloat(b, day.Seconds)
		}
	}
	return b
}

func (d *decoder) desktopUsage() []sessionagg.DesktopUsage {
	n := d.count()
	var usages []sessionagg.DesktopUsage
	for range n {
		u := sessionagg.DesktopUsage{ResourceID: d.string(), ResourceName: d.string(), UsageSeconds: d.float(), IdleDays: int(d.varint())}
		days := d.count()
		for range days {
			u.Days = append(u.Days, sessionagg.DayUsage{Start: d.time(), End: d.time(), Seconds: d.float()})
		}
		usages = append(usages, u)
	}
	return usages
}

func encodeDesktopList(l desktopList) []byte {
	return appendDesktopUsage([]byte{shapeVersion}, l.usages)
}

func decodeDesktopList(data []byte) (desktopList, error) {
	d := decoder{data: data}
	d.version("desktop usage")
	l := desktopList{usages: d.desktopUsage()}
	return l, d.finish("desktop usage")
}

// EncodeDesktopReport returns the binary form of r: version, the query as
// JSON, and the desktops. It is r's registered Beam coder.
func EncodeDesktopReport(r DesktopReport) ([]byte, error) {
	b, err := appendSpec([]byte{shapeVersion}, &r.spec)
	if err != nil {
		return nil, err
	}
	return appendDesktopUsage(b, r.usages), nil
}

// DecodeDesktopReport returns the report that EncodeDesktopReport encoded
// in data. Data that is not exactly one encoded report is an error
// wrapping ErrInvalidData.
func DecodeDesktopReport(data []byte) (DesktopReport, error) {
	d := decoder{data: data}
	d.version("DesktopReport")
	var r DesktopReport
	d.spec(&r.spec)
	r.usages = d.desktopUsage()
	if err := d.finish("DesktopReport"); err != nil {
		return DesktopReport{}, err
	}
	return r, nil
}
