package sim

import "sync"

// workerPool runs each tick's cell groups in parallel: group 0 on the
// calling goroutine, the others on long-lived goroutines. tick returns when
// every group is done, so scenario changes between ticks need no locks.
type workerPool struct {
	groups [][]*cellGen
	work   []chan [2]int64
	wg     sync.WaitGroup
}

func newWorkerPool(groups [][]*cellGen) *workerPool {
	p := &workerPool{groups: groups}
	for g := 1; g < len(groups); g++ {
		ch := make(chan [2]int64)
		p.work = append(p.work, ch)
		go func(cells []*cellGen) {
			for span := range ch {
				for _, c := range cells {
					c.tick(span[0], span[1])
				}
				p.wg.Done()
			}
		}(groups[g])
	}
	return p
}

func (p *workerPool) tick(t0, t1 int64) {
	p.wg.Add(len(p.work))
	for _, ch := range p.work {
		ch <- [2]int64{t0, t1}
	}
	for _, c := range p.groups[0] {
		c.tick(t0, t1)
	}
	p.wg.Wait()
}

func (p *workerPool) stop() {
	for _, ch := range p.work {
		close(ch)
	}
}
