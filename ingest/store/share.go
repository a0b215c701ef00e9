package store

import (
	"reflect"
	"unsafe"

	"github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
)

// clickhouse-go copies every appended value into its own ch-go column
// (column.String holds a proto.ColStr; column.Array(String) a column.String
// of values and a column.UInt64 of offsets). A Batch is already laid out as
// those ch-go columns, so Writer points the driver's columns at the batch's
// arrays instead: no copy, no per-value string headers. The driver only
// reads them while encoding the block, and its Reset truncates its own
// slice headers, never the shared arrays.
//
// The driver's fields are unexported, so they are found once by reflection
// and checked for the expected ch-go types; if a driver release changes
// them, sharing is off and Writer falls back to appending copies.
var (
	strField   = fieldOffset(reflect.TypeOf(column.String{}), "col", reflect.TypeOf(proto.ColStr{}))
	u64Field   = fieldOffset(reflect.TypeOf(column.UInt64{}), "col", reflect.TypeOf(proto.ColUInt64{}))
	arrValues  = fieldOffset(reflect.TypeOf(column.Array{}), "values", reflect.TypeOf((*column.Interface)(nil)).Elem())
	arrOffsets = arrayOffsetsField()
	canShare   = strField.ok && u64Field.ok && arrValues.ok && arrOffsets.ok
)

type field struct {
	offset uintptr
	ok     bool
}

func fieldOffset(t reflect.Type, name string, want reflect.Type) field {
	f, ok := t.FieldByName(name)
	if !ok || f.Type != want {
		return field{}
	}
	return field{offset: f.Offset, ok: true}
}

// arrayOffsetsField finds Array.offsets, a []*offset whose element holds the
// offsets as a column.UInt64 named values.
func arrayOffsetsField() field {
	f, ok := reflect.TypeOf(column.Array{}).FieldByName("offsets")
	if !ok || f.Type.Kind() != reflect.Slice || f.Type.Elem().Kind() != reflect.Pointer {
		return field{}
	}
	inner, ok := f.Type.Elem().Elem().FieldByName("values")
	if !ok || inner.Type != reflect.TypeOf(column.UInt64{}) || inner.Offset != 0 {
		return field{}
	}
	return field{offset: f.Offset, ok: true}
}

// shareStr points an empty driver String column at col.
func shareStr(c column.Interface, col *strCol) bool {
	s, ok := c.(*column.String)
	if !ok || !canShare || s.Rows() != 0 {
		return false
	}
	*(*proto.ColStr)(unsafe.Add(unsafe.Pointer(s), strField.offset)) = proto.ColStr(*col)
	return true
}

// shareArray points an empty driver Array(String) column at values and the
// rows' end offsets.
func shareArray(c column.Interface, values *strCol, ends []uint64) bool {
	a, ok := c.(*column.Array)
	if !ok || !canShare || a.Rows() != 0 || a.Type() != "Array(String)" {
		return false
	}
	offsets := *(*[]unsafe.Pointer)(unsafe.Add(unsafe.Pointer(a), arrOffsets.offset))
	if len(offsets) != 1 {
		return false
	}
	inner := *(*column.Interface)(unsafe.Add(unsafe.Pointer(a), arrValues.offset))
	u := (*column.UInt64)(offsets[0])
	if u.Rows() != 0 || !shareStr(inner, values) {
		return false
	}
	*(*proto.ColUInt64)(unsafe.Add(unsafe.Pointer(u), u64Field.offset)) = proto.ColUInt64(ends)
	return true
}
