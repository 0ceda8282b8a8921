echo "ok tmp-c-before-hang"
sleep 1000
