// Package e2e holds end-to-end tests of the ingest path on real services:
// emitter → Kafka → ingester → ClickHouse.
package e2e
