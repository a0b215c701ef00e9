package event

import json "github.com/goccy/go-json"

// Marshal encodes an event as contract v1 JSON.
func Marshal(e *Event) ([]byte, error) { return json.Marshal(e) }

// AppendMarshal appends the JSON encoding of e to dst.
func AppendMarshal(dst []byte, e *Event) ([]byte, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return dst, err
	}
	return append(dst, b...), nil
}
