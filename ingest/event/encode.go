package event

//go:generate go run github.com/mailru/easyjson/easyjson@v0.9.2 -all -disallow_unknown_fields -no_std_marshalers -output_filename event_easyjson.go event.go

import "github.com/mailru/easyjson"

// Marshal encodes an event as contract v1 JSON.
func Marshal(e *Event) ([]byte, error) { return easyjson.Marshal(e) }
