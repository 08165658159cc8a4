// Command sessionagg aggregates session records into time-bucketed usage
// statistics. It is being built; for now it says so.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "sessionagg: the command is not built yet; see the package documentation")
}
