package detect

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

func TestZZDebugNN(t *testing.T) {
	db := os.Getenv("ZZ_DB")
	if db == "" {
		t.Skip()
	}
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{"127.0.0.1:19000"}, Auth: clickhouse.Auth{Database: db, Username: "default"}})
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	start, _ := time.Parse(time.RFC3339, os.Getenv("ZZ_FROM"))
	for now := start; now.Before(start.Add(5 * time.Minute)); now = now.Add(time.Minute) {
		tk := cfg.NewTick(now)
		byRes := map[[2]string][]resourceUsage{}
		each(context.Background(), conn, "detect_resource_usage", tk.windowArgs(), func(r *resourceUsage) {
			k := [2]string{r.Level, r.Resource}
			byRes[k] = append(byRes[k], *r)
		})
		for k, rows := range byRes {
			if k[0] != "cell" || k[1] != os.Getenv("ZZ_CELL") {
				continue
			}
			agg, ok := findAggressor(rows, &cfg.Neighbours, cfg.MaxLogP)
			victims, measured := findVictims(rows, os.Getenv("ZZ_TENANT"), &cfg.Neighbours)
			var fs []float64
			for _, v := range victims {
				fs = append(fs, v.factor)
			}
			for _, r := range rows {
				if r.Tenant == os.Getenv("ZZ_TENANT") {
					fmt.Printf("   aggressor row: starts %d/%d busy %.0f/%.0f\n", r.StartsNow, r.StartsBase, r.BusyMsNow, r.BusyMsBase)
				}
			}
			fmt.Println(now.Format("15:04"), k, "agg", agg, ok, "victims", len(victims), "measured", measured, "median", median(fs))
		}
	}
}

func TestZZTimings(t *testing.T) {
	db := os.Getenv("ZZ_DB")
	if db == "" {
		t.Skip()
	}
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{"127.0.0.1:19000"}, Auth: clickhouse.Auth{Database: db, Username: "default"}})
	if err != nil {
		t.Fatal(err)
	}
	d, _ := New(DefaultConfig(), conn)
	start, _ := time.Parse(time.RFC3339, os.Getenv("ZZ_FROM"))
	sum := map[string]time.Duration{}
	var total time.Duration
	for i := 0; i < 10; i++ {
		b := time.Now()
		d.Evaluate(context.Background(), start.Add(time.Duration(i)*time.Minute), nil)
		total += time.Since(b)
		for k, v := range d.Timings() {
			sum[k] += v
		}
	}
	fmt.Println("total per tick", total/10)
	for k, v := range sum {
		fmt.Println(k, v/10)
	}
}
