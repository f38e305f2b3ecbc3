package store

import (
	"golang.org/x/sys/unix"
)

// DiskSpace reports whether the file system holding path is mounted
// read-only and how many bytes on it are free for unprivileged use.
func DiskSpace(path string) (readOnly bool, free int64, err error) {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return false, 0, err
	}
	return st.Flags&unix.ST_RDONLY != 0, int64(st.Bavail) * int64(st.Bsize), nil
}

// PseudoFS names the kernel file system dir is on (a directory made under
// a cgroup mount is a new cgroup), "" for storage or when statfs fails
// (creating the directory then reports the problem).
func PseudoFS(dir string) string {
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
