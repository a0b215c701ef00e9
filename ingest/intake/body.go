package intake

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/klauspost/compress/gzip"
)

// readBody reads a request body of at most limit bytes, both as sent and
// after decoding Content-Encoding gzip. On failure it returns the status
// code to answer with.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, int, error) {
	raw := http.MaxBytesReader(w, r.Body, limit)
	defer raw.Close()
	var src io.Reader = raw
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(raw)
		if err != nil {
			if status := bodyErrorStatus(err); status == http.StatusRequestEntityTooLarge {
				return nil, status, fmt.Errorf("body exceeds %d bytes", limit)
			}
			return nil, http.StatusBadRequest, fmt.Errorf("reading gzip body: %w", err)
		}
		defer zr.Close()
		src = zr
	default:
		return nil, http.StatusUnsupportedMediaType, fmt.Errorf("content encoding %q is not supported; use gzip or none", enc)
	}
	var buf bytes.Buffer
	if r.ContentLength > 0 && r.ContentLength <= limit {
		buf.Grow(int(r.ContentLength))
	}
	// One byte past the limit tells a too-large decoded body from one that fits exactly.
	if _, err := buf.ReadFrom(io.LimitReader(src, limit+1)); err != nil {
		if status := bodyErrorStatus(err); status == http.StatusRequestEntityTooLarge {
			return nil, status, fmt.Errorf("body exceeds %d bytes", limit)
		}
		return nil, http.StatusBadRequest, fmt.Errorf("reading body: %w", err)
	}
	if int64(buf.Len()) > limit {
		return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("decoded body exceeds %d bytes", limit)
	}
	return buf.Bytes(), 0, nil
}

func bodyErrorStatus(err error) int {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}
