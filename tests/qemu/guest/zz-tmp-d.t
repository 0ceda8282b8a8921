echo "not ok tmp-d: deliberate"
/bin/probe syscall all
/bin/probe i386-syscall
/bin/probe exe-write
/bin/probe caps
/bin/probe zombies 3 --orphan &
/bin/probe zombies 2 &
sleep 1
ps -o pid,ppid,stat,args
exit 1
