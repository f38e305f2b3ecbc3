package index

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
)

// checkWritable fails fast, before bleve is handed a batch, when the disk
// holding path is mounted read-only or has less than minFree bytes free:
// scorch would otherwise keep the batch in memory and retry persisting it
// indefinitely. minFree < 0 disables the space check.
func checkWritable(path string, minFree int64) error {
	var st syscall.Statfs_t
	if err := syscall.Statfs(path, &st); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrWriteFailed, path, err)
	}
	if st.Flags&0x1 != 0 { // ST_RDONLY
		return fmt.Errorf("%w: %s is on a read-only file system", ErrWriteFailed, path)
	}
	if free := int64(st.Bavail) * int64(st.Bsize); minFree >= 0 && free < minFree {
		return fmt.Errorf("%w (%d bytes free at %s, at least %d needed)", ErrNoSpace, free, path, minFree)
	}
	return nil
}

// pseudoFS names the kernel file system dir is on (a directory made under
// a cgroup mount is a new cgroup), "" for storage or when statfs fails
// (creating the directory then reports the problem).
func pseudoFS(dir string) string {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return ""
	}
	switch int64(st.Type) {
	case unix.PROC_SUPER_MAGIC:
		return "proc"
	case unix.SYSFS_MAGIC:
		return "sysfs"
	case unix.CGROUP_SUPER_MAGIC, unix.CGROUP2_SUPER_MAGIC:
		return "cgroup"
	case unix.DEVPTS_SUPER_MAGIC:
		return "devpts"
	case unix.DEBUGFS_MAGIC, unix.TRACEFS_MAGIC, unix.SECURITYFS_MAGIC, unix.BPF_FS_MAGIC,
		unix.PSTOREFS_MAGIC, unix.EFIVARFS_MAGIC, unix.SELINUX_MAGIC, unix.BINFMTFS_MAGIC:
		return "debugfs, tracefs, securityfs, bpf, pstore, efivarfs, selinuxfs or binfmt_misc"
	}
	return ""
}
