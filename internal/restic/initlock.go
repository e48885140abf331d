package restic

import "sync"

// InitLocks serialise the opening and creation of each repository within
// one provider process, so that two backup plans on one repository never
// both run `restic init`, which takes no lock of its own. Its zero value is
// ready to use; the provider keeps one per process (providerdata.Data).
type InitLocks struct{ byRepo sync.Map }

// Lock takes the lock of repository and returns its release.
func (l *InitLocks) Lock(repository string) (unlock func()) {
	mu, _ := l.byRepo.LoadOrStore(repository, &sync.Mutex{})
	m := mu.(*sync.Mutex) //nolint:forcetypeassert // only *sync.Mutex is stored
	m.Lock()
	return m.Unlock
}
