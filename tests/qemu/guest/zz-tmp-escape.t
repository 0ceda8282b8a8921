echo "ok tmp-escape"
setsid sleep 100 &
