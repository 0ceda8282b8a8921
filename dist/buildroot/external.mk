include $(sort $(wildcard $(BR2_EXTERNAL_SANDBOXD_PATH)/package/*/*.mk))
