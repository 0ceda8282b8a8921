echo "ok tmp-a-1"
sleep 1000 &
exit 3
