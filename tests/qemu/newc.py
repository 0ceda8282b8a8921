#!/usr/bin/env python3
# newc.py - write a gzip'd newc cpio archive from a list of operations, keeping
# what each source tree holds: owners (numeric), modes with setuid, setgid and
# sticky bits, hard links, device nodes, FIFOs and symlinks. mkimage.sh is its
# only caller; the operations come on the command line, each a fixed number of
# words (so no separator can be confused with a path):
#
#   dir DST MODE UID GID           a folder made here (MODE octal)
#   file SRC DST MODE UID GID      the bytes of host file SRC (followed if a symlink)
#   text DST MODE UID GID TEXT     a file holding TEXT
#   symlink TARGET DST             a symlink made here (root's)
#   node DST c|b MODE MAJOR MINOR  a device node made here (root's)
#   tree SRC DST OWNER             SRC as it is on disk, at DST; a folder's contents
#                                  land in DST (cp -a SRC/. DST/); OWNER "keep" or
#                                  UID:GID to force one owner for every member
#   init PATH                      /init -> PATH, a file of the image made 0755
#
# Later operations replace earlier members of the same path (a folder's
# metadata is replaced, its members kept), as copying into a staging folder
# would; parent folders that no operation made are 0755 root's. A symlink met on
# the way to a member is followed inside the image, as `mkdir -p` would in a
# staging copy. What newc or the kernel cannot represent, or what cannot be
# read, is an error naming the path; a socket is left out with a warning (a
# socket file is a leftover of a running program: nothing can connect to it
# after a boot, and it would only make a later bind() fail).
#
# Writes OUT (gzip -6, no name or time in the header: the same inputs give the
# same bytes) and LIST, the member names one per line in archive order, that
# mkimage.sh compares with what `cpio -t` reads back.
import gzip
import os
import stat
import sys

prog = "mkimage.sh"
MAX32 = 0xFFFFFFFF
PATH_MAX = 4096


class Fail(Exception):
    pass


def show(p):
    return os.fsdecode(p)


class Member:
    __slots__ = ("mode", "uid", "gid", "mtime", "src", "data", "rdev", "key")

    def __init__(self, mode, uid=0, gid=0, mtime=0, src=None, data=None, rdev=(0, 0), key=None):
        self.mode, self.uid, self.gid, self.mtime = mode, uid, gid, mtime
        self.src, self.data, self.rdev, self.key = src, data, rdev, key


class Image:
    def __init__(self):
        self.m = {}        # image path (bytes, no leading '/') -> Member
        self.warnings = 0

    # Split an image path into components; '..' has no meaning in a DST.
    def parts(self, path, what):
        out = []
        for c in path.split(b"/"):
            if c in (b"", b"."):
                continue
            if c == b"..":
                raise Fail("%s: '..' in an image path" % what)
            out.append(c)
        return out

    # The folder that holds `comps` once every symlink on the way is
    # followed inside the image; missing folders are made 0755 root's.
    def resolve_dir(self, comps, what):
        todo, cur, hops = list(comps), [], 0
        while todo:
            c = todo.pop(0)
            if c == b".":
                continue
            if c == b"..":
                if cur:
                    cur.pop()
                continue
            p = b"/".join(cur + [c])
            e = self.m.get(p)
            if e is None:
                self.m[p] = Member(stat.S_IFDIR | 0o755)
            elif stat.S_ISLNK(e.mode):
                hops += 1
                if hops > 40:
                    raise Fail("%s: too many symlinks in the image on the way to /%s" % (what, show(p)))
                t = e.data
                if t.startswith(b"/"):
                    cur = []
                todo = [x for x in t.split(b"/") if x] + todo
                continue
            elif not stat.S_ISDIR(e.mode):
                raise Fail("%s: /%s is not a folder in the image" % (what, show(p)))
            cur.append(c)
        return cur

    def put(self, path, mem, what):
        if b"\n" in path:
            raise Fail("%s: %r: a name with a newline (refused: the archive could not be listed "
                       "back line by line to check it)" % (what, show(path)))
        comps = self.parts(path, what)
        if not comps:
            if not stat.S_ISDIR(mem.mode):
                raise Fail("%s: the image's root can only be a folder" % what)
            return b""          # the root itself is the kernel's rootfs: not a member
        parent = self.resolve_dir(comps[:-1], what)
        p = b"/".join(parent + [comps[-1]])
        old = self.m.get(p)
        if old is not None and stat.S_ISDIR(mem.mode) and stat.S_ISLNK(old.mode):
            # copying a folder onto a symlink to a folder fills the target
            target = self.resolve_dir(parent + [comps[-1]], what)
            q = b"/".join(target)
            if not q:
                return b""
            self.m[q] = mem
            return q
        if old is not None and stat.S_ISDIR(old.mode) != stat.S_ISDIR(mem.mode):
            raise Fail("%s: /%s is %s in the image, cannot put %s there" % (
                what, show(p), "a folder" if stat.S_ISDIR(old.mode) else "not a folder",
                "a folder" if stat.S_ISDIR(mem.mode) else "a non-folder"))
        self.m[p] = mem
        return p

    def member_of(self, src, st, owner):
        uid, gid = (st.st_uid, st.st_gid) if owner is None else owner
        if uid >= MAX32 or gid >= MAX32:
            raise Fail("%s: owner %d:%d cannot be kept (4294967295 is no id)" % (show(src), uid, gid))
        mtime = min(max(int(st.st_mtime), 0), MAX32)
        mode = st.st_mode
        # the kernel pairs up regular files, nodes and FIFOs (maybe_link() in
        # init/initramfs.c), never folders or symlinks
        key = ((st.st_dev, st.st_ino) if st.st_nlink > 1 and
               (stat.S_ISREG(mode) or stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode))
               else None)
        if stat.S_ISREG(mode):
            if st.st_size > MAX32:
                raise Fail("%s: %d bytes; a newc member holds at most 4 GiB - 1" % (show(src), st.st_size))
            if not os.access(src, os.R_OK):
                raise Fail("%s: cannot be read: %s" % (show(src), os.strerror(13)))
            return Member(mode, uid, gid, mtime, src=src, key=key)
        if stat.S_ISDIR(mode):
            return Member(mode, uid, gid, mtime)
        if stat.S_ISLNK(mode):
            try:
                t = os.readlink(src)
            except OSError as e:
                raise Fail("%s: cannot read the symlink: %s" % (show(src), e.strerror))
            return Member(mode, uid, gid, mtime, data=t)
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
            return Member(mode, uid, gid, mtime, rdev=(os.major(st.st_rdev), os.minor(st.st_rdev)), key=key)
        if stat.S_ISFIFO(mode):
            return Member(mode, uid, gid, mtime, key=key)
        return None             # a socket: the caller warns

    def tree(self, src, dst, owner):
        what = "--add %s:%s" % (show(src), show(dst))
        try:
            src = os.path.realpath(src)   # SRC itself is followed; what is inside is kept as it is
            st = os.stat(src)
        except OSError as e:
            raise Fail("%s: %s" % (show(src), e.strerror))
        self.walk(src, st, dst, owner, what)

    def walk(self, src, st, dst, owner, what):
        mem = self.member_of(src, st, owner)
        if mem is None:
            self.warnings += 1
            print("%s: warning: %s is a socket: left out of the image" % (prog, show(src)), file=sys.stderr)
            return
        at = self.put(dst, mem, what)
        if len(at) + 1 >= PATH_MAX:
            raise Fail("%s: /%s: name longer than the kernel's %d" % (show(src), show(at), PATH_MAX - 1))
        if not stat.S_ISDIR(st.st_mode):
            return
        try:
            names = sorted(os.listdir(src))
        except OSError as e:
            raise Fail("%s: cannot list the folder: %s" % (show(src), e.strerror))
        for n in names:
            s = os.path.join(src, n)
            try:
                cst = os.lstat(s)
            except OSError as e:
                raise Fail("%s: %s" % (show(s), e.strerror))
            self.walk(s, cst, (at + b"/" + n) if at else n, owner, what)

    def write(self, out, listing):
        names = sorted(self.m)
        # hard links: members with the same source inode share one number
        # and carry the data on the last of them (as GNU cpio writes them);
        # nlink is how many are in the archive
        groups = {}
        for n in names:
            k = self.m[n].key
            if k is not None:
                groups.setdefault(k, []).append(n)
        subdirs = {}
        for n in names:
            if stat.S_ISDIR(self.m[n].mode) and b"/" in n:
                par = n.rsplit(b"/", 1)[0]
                subdirs[par] = subdirs.get(par, 0) + 1
        ino, inos, count = 0, {}, 0
        with open(out, "wb") as raw, open(listing, "wb") as lst:
            gz = gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=raw, mtime=0)
            pos = 0

            def emit(b):
                nonlocal pos
                gz.write(b)
                pos += len(b)

            def header(name, ino, mode, uid, gid, nlink, mtime, size, rdev):
                emit(b"070701" + b"".join(b"%08X" % v for v in (
                    ino, mode, uid, gid, nlink, mtime, size, 0, 0, rdev[0], rdev[1],
                    len(name) + 1, 0)))
                emit(name + b"\0")
                emit(b"\0" * (-pos % 4))

            for n in names:
                e = self.m[n]
                grp = groups.get(e.key) if e.key is not None else None
                if grp is not None and len(grp) > 1:
                    if e.key not in inos:
                        ino += 1
                        inos[e.key] = ino
                    num, nlink, last = inos[e.key], len(grp), grp[-1] == n
                else:
                    ino += 1
                    num, last = ino, True
                    nlink = 2 + subdirs.get(n, 0) if stat.S_ISDIR(e.mode) else 1
                body, fd, size = None, None, 0
                if stat.S_ISLNK(e.mode) or (stat.S_ISREG(e.mode) and e.data is not None):
                    body = e.data
                    size = len(body)
                elif stat.S_ISREG(e.mode) and e.src is not None and last:
                    fd, size = self.open(e.src)
                if not last:
                    body, size = None, 0
                try:
                    header(n, num, e.mode, e.uid, e.gid, nlink, e.mtime, size, e.rdev)
                    if body:
                        emit(body)
                    elif fd is not None:
                        self.copy(fd, size, e.src, emit)
                finally:
                    if fd is not None:
                        os.close(fd)
                emit(b"\0" * (-pos % 4))
                lst.write(n + b"\n")
                count += 1
            header(b"TRAILER!!!", 0, 0, 0, 0, 1, 0, 0, (0, 0))
            emit(b"\0" * (-pos % 512))
            gz.close()
            raw.flush()
            os.fsync(raw.fileno())
        return count

    # The file, opened without following a symlink and checked to be a
    # regular file that newc can hold: the fd and its size.
    def open(self, src):
        try:
            fd = os.open(src, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError as err:
            raise Fail("%s: cannot be read: %s" % (show(src), err.strerror))
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX32:
            os.close(fd)
            raise Fail("%s: changed while the image was made" % show(src))
        return fd, st.st_size

    # Its size bytes into the archive, in 1 MiB reads; a file that shrank
    # meanwhile is an error (the header holds its size already).
    def copy(self, fd, size, src, emit):
        left = size
        try:
            while left > 0:
                b = os.read(fd, min(left, 1 << 20))
                if not b:
                    raise Fail("%s: shrank while it was read" % show(src))
                emit(b)
                left -= len(b)
        except OSError as err:
            raise Fail("%s: cannot be read: %s" % (show(src), err.strerror))


def num(s, what, base=10):
    try:
        v = int(s, base)
    except ValueError:
        raise Fail("%s: not a number: %s" % (what, show(s)))
    if v < 0 or v >= MAX32:
        raise Fail("%s: out of range: %s" % (what, show(s)))
    return v


def main(argv):
    if len(argv) < 3:
        print("usage: newc.py OUT LIST OPERATION...", file=sys.stderr)
        return 2
    out, listing = argv[1], argv[2]
    a = [os.fsencode(x) for x in argv[3:]]
    img = Image()
    arity = {b"dir": 4, b"file": 5, b"text": 5, b"symlink": 2, b"node": 5, b"tree": 3, b"init": 1}
    i = 0
    try:
        while i < len(a):
            op = a[i]
            n = arity.get(op)
            if n is None:
                raise Fail("newc.py: bad operation %s" % show(op))
            w = a[i + 1:i + 1 + n]
            if len(w) != n:
                raise Fail("newc.py: %s needs %d words" % (show(op), n))
            i += 1 + n
            if op == b"dir":
                img.put(w[0], Member(stat.S_IFDIR | num(w[1], "mode", 8), num(w[2], "uid"), num(w[3], "gid")), show(w[0]))
            elif op == b"file":
                w[0] = os.path.realpath(w[0])
                st = os.stat(w[0])
                if not stat.S_ISREG(st.st_mode):
                    raise Fail("%s: not a regular file" % show(w[0]))
                img.put(w[1], Member(stat.S_IFREG | num(w[2], "mode", 8), num(w[3], "uid"), num(w[4], "gid"),
                                     src=w[0]), show(w[1]))
            elif op == b"text":
                img.put(w[0], Member(stat.S_IFREG | num(w[1], "mode", 8), num(w[2], "uid"), num(w[3], "gid"),
                                     data=w[4]), show(w[0]))
            elif op == b"symlink":
                img.put(w[1], Member(stat.S_IFLNK | 0o777, data=w[0]), show(w[1]))
            elif op == b"node":
                t = stat.S_IFCHR if w[1] == b"c" else stat.S_IFBLK
                img.put(w[0], Member(t | num(w[2], "mode", 8), rdev=(num(w[3], "major"), num(w[4], "minor"))),
                        show(w[0]))
            elif op == b"tree":
                owner = None
                if w[2] != b"keep":
                    u, _, g = w[2].partition(b":")
                    owner = (num(u, "--owner uid"), num(g, "--owner gid"))
                img.tree(w[0], w[1], owner)
            elif op == b"init":
                what = "--init %s" % show(w[0])
                comps = img.parts(w[0], what)
                p = b"/".join(img.resolve_dir(comps[:-1], what) + comps[-1:]) if comps else b""
                e = img.m.get(p)
                if e is None or not stat.S_ISREG(e.mode):
                    raise Fail("%s: no such file in the image (add it with --add SRC:%s)" % (what, show(w[0])))
                e.mode = stat.S_IFREG | 0o755
                img.put(b"init", Member(stat.S_IFLNK | 0o777, data=w[0]), what)
        count = img.write(out, listing)
    except Fail as f:
        print("%s: %s" % (prog, f), file=sys.stderr)
        return 1
    except OSError as e:
        print("%s: %s: %s" % (prog, show(e.filename or out), e.strerror), file=sys.stderr)
        return 1
    except RecursionError:
        print("%s: a tree deeper than Python's recursion limit" % prog, file=sys.stderr)
        return 1
    print(count)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
