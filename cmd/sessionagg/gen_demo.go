//go:build ignore

// gen_demo writes demo/sessions.csv, the demo data set that sessionagg
// embeds: a few hundred render-farm sessions from Thursday 2026-02-26 to
// Tuesday 2026-03-03 (across a month end and a week end), on three queues
// and two fleets, for five users and forty jobs. Most sessions are COMPUTE
// sessions on an instance; some are LICENSE sessions of a licensed product.
// The output depends only on the seed, so running it again, with
// "go generate", writes the same bytes.
//
// Usage:
//
//	go run gen_demo.go [-o demo/sessions.csv] [-n 300]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"time"
)

var (
	queues = []struct{ id, fleet string }{
		{"queue-lighting", "fleet-cpu"},
		{"queue-fx", "fleet-gpu"},
		{"queue-comp", "fleet-cpu"},
	}
	users = []string{"alice", "bruno", "chen", "dana", "emeka"}
	// Instances of each fleet, with their price per hour.
	instances = map[string][]struct {
		typ  string
		rate float64
	}{
		"fleet-cpu": {{"c5.4xlarge", 0.68}, {"m6i.8xlarge", 1.536}, {"r6i.4xlarge", 1.008}},
		"fleet-gpu": {{"g5.2xlarge", 1.212}, {"g5.12xlarge", 5.672}},
	}
	// Licensed products, with their price per hour.
	licenses = []struct {
		product string
		rate    float64
	}{{"nuke", 0.21}, {"houdini", 0.42}, {"arnold", 0.09}}
	shots  = []string{"sh010", "sh020", "sh030", "sh040", "sh050", "sh060", "sh070", "sh080"}
	stages = []string{"lighting", "fx_sim", "comp", "render", "cache"}
)

func main() {
	out := flag.String("o", "demo/sessions.csv", "output file")
	n := flag.Int("n", 300, "number of sessions")
	flag.Parse()

	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "startTime,endTime,costInUsd,queueId,fleetId,jobId,jobName,userId,usageType,licenseProduct,instanceType")

	r := rand.New(rand.NewPCG(2026, 3))
	from := time.Date(2026, 2, 26, 0, 0, 0, 0, time.UTC)
	span := 6 * 24 * time.Hour // to 2026-03-04T00:00:00Z
	for i := 0; i < *n; i++ {
		// Arrivals spread evenly, with some jitter, over the span; a
		// session may run past its end.
		start := from.Add(time.Duration(float64(span) * (float64(i) + r.Float64()) / float64(*n))).Truncate(time.Second)
		// Lognormal runtimes with a median of 40 minutes, at least a
		// minute and at most 14 hours.
		d := time.Duration(40 * float64(time.Minute) * math.Exp(0.9*r.NormFloat64())).Truncate(time.Second)
		d = min(max(d, time.Minute), 14*time.Hour)
		end := start.Add(d)

		// A job belongs to one queue and one user, and has a name.
		job := r.IntN(40)
		q := queues[job%len(queues)]
		jobID := fmt.Sprintf("job-%03d", job+1)
		jobName := shots[job%len(shots)] + "_" + stages[job%len(stages)]
		user := users[job%len(users)]

		usage, product, instance := "COMPUTE", "", ""
		var cost float64
		if r.IntN(5) == 0 {
			l := licenses[r.IntN(len(licenses))]
			usage, product = "LICENSE", l.product
			cost = l.rate * d.Hours()
		} else {
			in := instances[q.fleet][r.IntN(len(instances[q.fleet]))]
			instance = in.typ
			cost = in.rate * d.Hours()
		}
		fmt.Fprintf(w, "%s,%s,%.4f,%s,%s,%s,%s,%s,%s,%s,%s\n",
			start.Format(time.RFC3339), end.Format(time.RFC3339), cost,
			q.id, q.fleet, jobID, jobName, user, usage, product, instance)
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
