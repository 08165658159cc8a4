package sessionbeam

import (
	"context"
	"reflect"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/sessionagg/sessionagg"
)

// Every type that crosses a worker boundary has a binary coder, and every
// function and DoFn is registered with its exact signature: Beam would
// otherwise fall back to schema rows, which encode a struct of unexported
// fields as nothing, and to reflection, which cannot find closures or
// unregistered functions on a remote worker. The test TestRegistered has
// Beam's vet runner check that nothing is missing.
func init() {
	beam.RegisterCoder(reflect.TypeOf(sessionagg.Session{}), EncodeSession, DecodeSession)
	beam.RegisterCoder(reflect.TypeOf(Partial{}), EncodePartial, DecodePartial)
	beam.RegisterCoder(reflect.TypeOf(Rows{}), EncodeRows, DecodeRows)
	beam.RegisterCoder(reflect.TypeOf(routed{}), encodeRouted, decodeRouted)

	beam.RegisterCoder(reflect.TypeOf(sessionagg.DeviceSession{}), EncodeDeviceSession, DecodeDeviceSession)
	beam.RegisterCoder(reflect.TypeOf(sessionagg.DesktopSession{}), EncodeDesktopSession, DecodeDesktopSession)
	beam.RegisterCoder(reflect.TypeOf(devicePiece{}), encodeDevicePiece, decodeDevicePiece)
	beam.RegisterCoder(reflect.TypeOf(deviceAcc{}), encodeDeviceAcc, decodeDeviceAcc)
	beam.RegisterCoder(reflect.TypeOf(deviceList{}), encodeDeviceList, decodeDeviceList)
	beam.RegisterCoder(reflect.TypeOf(DeviceReport{}), EncodeDeviceReport, DecodeDeviceReport)
	beam.RegisterCoder(reflect.TypeOf(desktopDay{}), encodeDesktopDay, decodeDesktopDay)
	beam.RegisterCoder(reflect.TypeOf(desktopAcc{}), encodeDesktopAcc, decodeDesktopAcc)
	beam.RegisterCoder(reflect.TypeOf(desktopList{}), encodeDesktopList, decodeDesktopList)
	beam.RegisterCoder(reflect.TypeOf(DesktopReport{}), EncodeDesktopReport, DecodeDesktopReport)

	register.Combiner3[Partial, sessionagg.Session, Rows](&combineFn{})
	register.Combiner3[Partial, routed, Rows](&shardFn{})

	register.DoFn2x1[sessionagg.Session, func(string, routed), error](&routeFn{})
	register.Emitter2[string, routed]()

	register.DoFn3x1[context.Context, fileio.ReadableFile, func(sessionagg.Session), error](&readFn{})
	register.Emitter1[sessionagg.Session]()

	register.DoFn2x1[sessionagg.DeviceSession, func(int64, devicePiece), error](&devicePiecesFn{})
	register.Emitter2[int64, devicePiece]()
	register.Combiner3[deviceAcc, devicePiece, deviceList](&deviceBucketFn{})
	register.Combiner3[deviceList, deviceList, DeviceReport](&deviceReportFn{})
	register.DoFn2x1[sessionagg.DesktopSession, func(string, desktopDay), error](&desktopDaysFn{})
	register.Emitter2[string, desktopDay]()
	register.Combiner3[desktopAcc, desktopDay, desktopList](&desktopFn{})
	register.Combiner3[desktopList, desktopList, DesktopReport](&desktopReportFn{})

	register.DoFn3x1[context.Context, fileio.ReadableFile, func(sessionagg.DeviceSession), error](&readDevicesFn{})
	register.Emitter1[sessionagg.DeviceSession]()
	register.DoFn3x1[context.Context, fileio.ReadableFile, func(sessionagg.DesktopSession), error](&readDesktopsFn{})
	register.Emitter1[sessionagg.DesktopSession]()
	register.DoFn2x1[context.Context, DeviceReport, error](&writeDevicesFn{})
	register.DoFn2x1[context.Context, DesktopReport, error](&writeDesktopsFn{})

	register.Function1x2[int, int, int](fileFn)
	register.DoFn1x2[Rows, int, Rows](&rowsFileFn{})
	register.DoFn4x1[context.Context, int, func(*int) bool, func(*Rows) bool, error](&writeFn{})
	register.Iter1[int]()
	register.Iter1[Rows]()
}
