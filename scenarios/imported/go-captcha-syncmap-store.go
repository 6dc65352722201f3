// Source: https://github.com/mojocn/base64Captcha/issues/66 ("Default Memory Store": the maintainer
// suggests the standard library's sync.Map for the captcha store; every captcha is a new id that is
// stored, then deleted once verified).
// Hazard: S3, sync.Map keeps deleted entries (nil or expunged) until a new key and a promotion.
// mapcheck-expect: syncmap
package main

import (
	"strconv"
	"sync"
)

type memoryStore struct {
	digits sync.Map
}

func (s *memoryStore) Set(id string, value string) {
	s.digits.Store(id, value)
}

func (s *memoryStore) Verify(id, answer string) bool {
	v, ok := s.digits.LoadAndDelete(id)
	if !ok {
		return false
	}
	return v.(string) == answer
}

func main() {
	s := &memoryStore{}
	for i := 0; i < 3; i++ {
		s.Set("id"+strconv.Itoa(i), "1234")
	}
	var wg sync.WaitGroup
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			s.digits.Range(func(k, v interface{}) bool { return true })
			s.Verify("id"+strconv.Itoa(i), "1234")
		}(i)
	}
	wg.Wait()
}
