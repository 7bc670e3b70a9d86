package ordercsv_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/hearthbot/hearth/clv"
	"github.com/hearthbot/hearth/clv/ordercsv"
)

// orderFile is a valid order file of n rows with every column filled in, as
// a shop export would have them: 1 customer in 5 orders again.
func orderFile(n int) []byte {
	var b bytes.Buffer
	b.WriteString("order_id,customer_id,ordered_at,amount,currency,margin,status,email,phone,telegram_id,telegram_username,discord_id\n")
	for i := range n {
		c := i / 5 * 3
		fmt.Fprintf(&b, "ORD-%08d,CUST-%07d,2024-%02d-%02dT%02d:%02d:00Z,%d.%02d,EUR,%d.50,paid,customer%d@example.com,+30 210 %07d,%d,user_%d,%d\n",
			i, c, i%12+1, i%28+1, i%24, i%60, i%500+1, i%100, i%100, c, c, 100000000+c, c, 800000000000000000+c)
	}
	return b.Bytes()
}

// BenchmarkRead reads and checks a file of 1,000,000 orders, as hearth
// import orders does before handing them to storage.
func BenchmarkRead(b *testing.B) {
	const rows = 1_000_000
	file := orderFile(rows)
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	for b.Loop() {
		rep, err := ordercsv.Read(bytes.NewReader(file), now, func(clv.Order) error { return nil })
		if err != nil || rep.Orders != rows {
			b.Fatalf("read %d orders, error %v; report %+v", rep.Orders, err, rep.Err())
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
}
