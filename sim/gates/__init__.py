"""Gate terminal simulator: uploads 640x480 JPEG captures over HTTP like a 人脸识别道闸."""
