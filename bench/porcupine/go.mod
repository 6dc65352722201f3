module mapcheck/bench/porcupine

go 1.19

require github.com/anishathalye/porcupine v0.0.0

// porcupine's library source sits beside the repository (see ../../../shared/peers/README.md); the
// benchmark never fetches a module.
replace github.com/anishathalye/porcupine => ../../../shared/peers/porcupine
