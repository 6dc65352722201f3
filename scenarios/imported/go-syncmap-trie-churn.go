// Source: https://github.com/ChainSafe/gossamer/issues/2281 ("Remove all usage of sync.Map": it
// would not clear deleted tries, one suspect of the node's memory problems).
// Hazard: S3, sync.Map keeps deleted entries (nil or expunged) until a new key and a promotion.
// mapcheck-expect: syncmap
package main

import "sync"

type Tries struct {
	rootToTrie sync.Map
}

func (t *Tries) SetTrie(root int, trie string) {
	t.rootToTrie.Store(root, trie)
}

func (t *Tries) Delete(root int) {
	t.rootToTrie.Delete(root)
}

func (t *Tries) Len() int {
	n := 0
	t.rootToTrie.Range(func(_, _ interface{}) bool {
		n++
		return true
	})
	return n
}

func main() {
	tries := &Tries{}
	for block := 0; block < 8; block++ {
		tries.SetTrie(block, "trie")
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		// Pruning: the oldest tries go once a new block is imported.
		println(tries.Len())
		tries.Delete(0)
		tries.Delete(1)
	}()
	go func() {
		defer wg.Done()
		tries.SetTrie(8, "trie")
	}()
	wg.Wait()
}
